/* The version of the build, for every program's --version: the project version from CMake
 * and the source's `git describe --always --dirty` ("unknown" outside git). */
#ifndef VELA_VERSION_H
#define VELA_VERSION_H

extern const char version_number[];   /* "0.1.0" */
extern const char version_revision[]; /* "5cb5555-dirty", or "unknown" */

#endif
