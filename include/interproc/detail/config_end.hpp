// interproc C++ wrapper: <boost/interprocess/detail/config_end.hpp> closes what
// config_begin.hpp opened. Both do nothing in interproc; see config_begin.hpp.
