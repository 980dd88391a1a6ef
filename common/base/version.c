/* The only file that sees the build's version: cmake/version.cmake rewrites the generated
 * header on every build when (and only when) the revision changed, so a new commit
 * recompiles this file alone. */
#include "base/version.h"

#include "vela_version_info.h"

const char version_number[] = VELA_VERSION;
const char version_revision[] = VELA_REVISION;
