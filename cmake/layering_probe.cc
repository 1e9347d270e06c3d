// Compiled by the layering tests with the include path of one target: including the header
// named by PROBE_HEADER must stop the build, because that target may not depend on it.
#include PROBE_HEADER
