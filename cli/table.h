/* Tables as KubeVela's CLI prints them (Go's tabwriter as vela uses it): each cell padded
 * with spaces to its column's width, cells separated by a tab, a line ending after its last
 * non-empty cell. */
#ifndef VELA_CLI_TABLE_H
#define VELA_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* cells: nrows x ncols strings, row-major (borrowed); min_width: per column, may be NULL.
 * Widths count characters, not bytes. No columns print nothing. */
void table_print(FILE *out, const char *const *cells, size_t nrows, size_t ncols,
                 const size_t *min_width);

#endif
