// Compiled by the layering tests with the include path of a policy/engine target: including
// any header named by PROBE_HEADER must stop the build with the layering guard's message.
#include PROBE_HEADER
