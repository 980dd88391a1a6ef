/* The tab-aligned tables of `vela cluster list` and `vela ls`; see table.h. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

/* UTF-8 characters in s (continuation bytes are not counted). */
static size_t table_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

void table_print(FILE *out, const char *const *cells, size_t nrows, size_t ncols,
                 const size_t *min_width)
{
    if (ncols == 0)
        return;
    size_t *width = xcalloc(ncols, sizeof(*width));
    for (size_t c = 0; c < ncols; c++) {
        width[c] = min_width ? min_width[c] : 0;
        for (size_t r = 0; r < nrows; r++) {
            size_t w = table_width(cells[r * ncols + c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t r = 0; r < nrows; r++) {
        const char *const *row = cells + r * ncols;
        size_t last = ncols - 1;
        while (last > 0 && !*row[last])
            last--;
        for (size_t c = 0; c < last; c++)
            fprintf(out, "%s%*s\t", row[c], (int)(width[c] - table_width(row[c])), "");
        fprintf(out, "%s\n", row[last]);
    }
    free(width);
}
