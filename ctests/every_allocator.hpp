// The seven allocators of a managed shared memory segment, as one-parameter templates (the
// pooled ones keep their defaulted node count), for the tests that run one check over every
// allocator.
#ifndef INTERPROC_CTESTS_EVERY_ALLOCATOR_HPP
#define INTERPROC_CTESTS_EVERY_ALLOCATOR_HPP

#include <interproc/allocators/adaptive_pool.hpp>
#include <interproc/allocators/allocator.hpp>
#include <interproc/allocators/cached_adaptive_pool.hpp>
#include <interproc/allocators/cached_node_allocator.hpp>
#include <interproc/allocators/node_allocator.hpp>
#include <interproc/allocators/private_adaptive_pool.hpp>
#include <interproc/allocators/private_node_allocator.hpp>
#include <interproc/managed_shared_memory.hpp>

typedef interproc::managed_shared_memory::segment_manager SM;

template <class T> using Plain = interproc::allocator<T, SM>;
template <class T> using NodeA = interproc::node_allocator<T, SM>;
template <class T> using PrivateNodeA = interproc::private_node_allocator<T, SM>;
template <class T> using CachedNodeA = interproc::cached_node_allocator<T, SM>;
template <class T> using AdaptiveA = interproc::adaptive_pool<T, SM>;
template <class T> using PrivateAdaptiveA = interproc::private_adaptive_pool<T, SM>;
template <class T> using CachedAdaptiveA = interproc::cached_adaptive_pool<T, SM>;

#endif
