// interproc C++ wrapper: every header at once.
#ifndef INTERPROC_HPP
#define INTERPROC_HPP

#include <interproc/anonymous_shared_memory.hpp>
#include <interproc/creation_tags.hpp>
#include <interproc/errors.hpp>
#include <interproc/exceptions.hpp>
#include <interproc/file_mapping.hpp>
#include <interproc/interprocess_fwd.hpp>
#include <interproc/mapped_region.hpp>
#include <interproc/permissions.hpp>
#include <interproc/shared_memory_object.hpp>
#include <interproc/xsi_key.hpp>
#include <interproc/xsi_shared_memory.hpp>

#endif // INTERPROC_HPP
