// interproc C++ wrapper: <boost/interprocess/detail/config_begin.hpp> turns compiler
// warnings off until config_end.hpp (Boost's examples include the pair). interproc's
// headers need no such switches; this one exists so that such code builds unchanged, and
// does nothing. Like Boost's, it may be included any number of times.
