// interproc C++ wrapper: deleter, as in <boost/interprocess/smart_ptr/deleter.hpp>.
#ifndef INTERPROC_SMART_PTR_DELETER_HPP
#define INTERPROC_SMART_PTR_DELETER_HPP

#include <interproc/offset_ptr.hpp>

namespace interproc {

/// Destroys objects constructed in a managed segment (calls `destroy_ptr`); for use with
/// the smart pointers.
template <class T, class SegmentManager> class deleter {
public:
   typedef offset_ptr<T> pointer;

   /// A deleter for the segment of `pmngr`.
   deleter(SegmentManager *pmngr) noexcept : mp_mngr(pmngr) {}

   /// Destroys the object at `p`.
   void operator()(const pointer &p) { mp_mngr->destroy_ptr(p.get()); }

private:
   offset_ptr<SegmentManager> mp_mngr;
};

} // namespace interproc

#endif // INTERPROC_SMART_PTR_DELETER_HPP
