// interproc C++ wrapper: the red-black tree algorithm behind set, multiset, map and
// multimap (not part of the public API): the nodes' links and colour, and rebalancing on
// raw node addresses. The container over it is in tree.hpp.
#ifndef INTERPROC_CONTAINERS_DETAIL_RBTREE_ALGO_HPP
#define INTERPROC_CONTAINERS_DETAIL_RBTREE_ALGO_HPP

#include <interproc/containers/detail/uses_allocator.hpp>
#include <interproc/containers/detail/value_node.hpp>
#include <interproc/offset_ptr.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace interproc {
namespace detail {

/// The parent link with the node's colour. By default they are two members; for the
/// pointer types below the colour is a bit of the link itself (compact nodes, as in
/// Boost.Intrusive), so a map<int, int> node takes 32 bytes instead of 40.
template <class Link, class Base> struct parent_and_colour {
   Link link;
   bool red = false;

   Base *get() const noexcept { return raw_address(link); }
   void set(Base *p) noexcept { link = p; }
   bool is_red() const noexcept { return red; }
   void set_red(bool r) noexcept { red = r; }
};

/// A raw parent pointer with the colour in its lowest bit (nodes are aligned to at least
/// a pointer, so that bit of a real address is zero).
template <class T, class Base> struct parent_and_colour<T *, Base> {
   std::uintptr_t word = 0;

   Base *get() const noexcept { return reinterpret_cast<Base *>(word & ~std::uintptr_t(1)); }
   void set(Base *p) noexcept { word = reinterpret_cast<std::uintptr_t>(p) | (word & 1); }
   bool is_red() const noexcept { return (word & 1) != 0; }
   void set_red(bool r) noexcept { word = (word & ~std::uintptr_t(1)) | std::uintptr_t(r); }
};

/// An offset_ptr parent with the colour in bit 1 of its offset. Bit 0 stays the null mark
/// (offset 1); the offset between two nodes, both aligned to at least 8 bytes, has its low
/// three bits zero, so bit 1 is free.
template <class T, class D, class O, std::size_t A, class Base> struct parent_and_colour<offset_ptr<T, D, O, A>, Base> {
   static constexpr O red_bit = 2;
   offset_ptr<T, D, O, A> link;

   Base *get() const noexcept {
      const O off = link.priv_offset() & ~red_bit;
      return off == 1 ? nullptr : reinterpret_cast<Base *>(reinterpret_cast<std::uintptr_t>(&link) + off);
   }
   void set(Base *p) noexcept {
      const O colour = link.priv_offset() & red_bit;
      link = p;
      link.priv_offset() |= colour;
   }
   bool is_red() const noexcept { return (link.priv_offset() & red_bit) != 0; }
   void set_red(bool r) noexcept { link.priv_offset() = (link.priv_offset() & ~red_bit) | (r ? red_bit : O(0)); }
};

/// The links and colour of a tree node; the links are the allocator's pointer type.
template <class VoidPtr> struct tree_node_base : pinned_node {
   typedef typename rebind_pointer<VoidPtr, tree_node_base>::type link;
   static_assert(alignof(link) >= 4, "the colour bit needs links aligned to 4 bytes at least");
   parent_and_colour<link, tree_node_base> parent;
   link left;
   link right;

   tree_node_base() noexcept : parent(), left(), right() {}

   tree_node_base *up() const noexcept { return parent.get(); }
   tree_node_base *lft() const noexcept { return raw_address(left); }
   tree_node_base *rgt() const noexcept { return raw_address(right); }
   void set_up(tree_node_base *p) noexcept { parent.set(p); }
   bool is_red() const noexcept { return parent.is_red(); }
   void set_red(bool r) noexcept { parent.set_red(r); }
};

/// A node with its value.
template <class T, class VoidPtr> using tree_node = value_node<T, tree_node_base<VoidPtr>>;

/// The red-black tree algorithms, on raw node addresses. The header node's parent is the
/// root, its left the leftmost node and its right the rightmost; it is red, the root black.
template <class VoidPtr> struct tree_algo {
   typedef tree_node_base<VoidPtr> base;

   static base *minimum(base *x) noexcept { return extreme(x, false); }
   static base *maximum(base *x) noexcept { return extreme(x, true); }
   /// The last node going down from `x` by its right children if `right`, else its left.
   static base *extreme(base *x, bool right) noexcept {
      while (kid(x, right)) {
         x = kid(x, right);
      }
      return x;
   }
   static bool is_header(const base *x) noexcept { return x->is_red() && x->up() && x->up()->up() == x; }

   static base *next(base *x) noexcept {
      if (x->rgt()) {
         return minimum(x->rgt());
      }
      base *y = climb(x, true);
      // When x was the root and had no right child, y is the header and x its parent.
      return x->rgt() != y ? y : x;
   }
   static base *prev(base *x) noexcept {
      if (is_header(x)) {
         return x->rgt();
      }
      if (x->lft()) {
         return maximum(x->lft());
      }
      return climb(x, false);
   }
   /// Climbs from `x` while it is its parent's right child if `right` (else left child);
   /// returns the parent where it stops, and leaves `x` that parent's child.
   static base *climb(base *&x, bool right) noexcept {
      base *y = x->up();
      while (x == kid(y, right)) {
         x = y;
         y = y->up();
      }
      return y;
   }

   static void init_header(base *h) noexcept {
      h->set_up(nullptr);
      h->left = h;
      h->right = h;
      h->set_red(true);
   }

   static void set_child(base *parent, base *old_child, base *new_child, base *h) noexcept {
      if (parent == h) {
         h->set_up(new_child);
      } else if (parent->lft() == old_child) {
         parent->left = new_child;
      } else {
         parent->right = new_child;
      }
   }

   /// The child of `x` on the right if `right`, else on the left.
   static base *kid(const base *x, bool right) noexcept { return right ? x->rgt() : x->lft(); }
   /// The link of `x` to its right child if `right`, else to its left one.
   static typename base::link &kid_link(base *x, bool right) noexcept { return right ? x->right : x->left; }

   /// Rotates `x` down to the right if `right` (its left child takes its place), else down
   /// to the left (its right child takes its place).
   static void rotate(base *x, bool right, base *h) noexcept {
      base *y = kid(x, !right);
      kid_link(x, !right) = kid(y, right);
      if (kid(y, right)) {
         kid(y, right)->set_up(x);
      }
      base *p = x->up();
      y->set_up(p);
      set_child(p, x, y, h);
      kid_link(y, right) = x;
      x->set_up(y);
   }

   /// Links the fresh node `z` as the left or right child of `p` (the header for an empty
   /// tree) and rebalances.
   static void link_and_rebalance(base *z, base *p, bool as_left, base *h) noexcept {
      z->set_up(p);
      z->left = nullptr;
      z->right = nullptr;
      z->set_red(true);
      if (p == h) {
         h->set_up(z);
         h->left = z;
         h->right = z;
      } else if (as_left) {
         p->left = z;
         if (p == h->lft()) {
            h->left = z;
         }
      } else {
         p->right = z;
         if (p == h->rgt()) {
            h->right = z;
         }
      }
      base *x = z;
      while (x != h->up() && x->up()->is_red()) {
         base *xp = x->up();
         base *g = xp->up();
         // The parent is the grandparent's right child if `s`; the uncle is on the other side.
         const bool s = xp != g->lft();
         base *u = kid(g, !s);
         if (u && u->is_red()) {
            xp->set_red(false);
            u->set_red(false);
            g->set_red(true);
            x = g;
         } else {
            if (x == kid(xp, !s)) {
               x = xp;
               rotate(x, s, h);
               xp = x->up();
            }
            xp->set_red(false);
            g->set_red(true);
            rotate(g, !s, h);
         }
      }
      h->up()->set_red(false);
   }

   static void transplant(base *u, base *v, base *h) noexcept {
      set_child(u->up(), u, v, h);
      if (v) {
         v->set_up(u->up());
      }
   }

   static bool is_black(const base *x) noexcept { return !x || !x->is_red(); }

   /// Unlinks `z` from the tree and rebalances.
   static void unlink_and_rebalance(base *z, base *h) noexcept {
      if (h->lft() == z) {
         h->left = z->rgt() ? minimum(z->rgt()) : z->up();
      }
      if (h->rgt() == z) {
         h->right = z->lft() ? maximum(z->lft()) : z->up();
      }
      base *x;
      base *xp;
      bool removed_black = !z->is_red();
      if (!z->lft()) {
         x = z->rgt();
         xp = z->up();
         transplant(z, x, h);
      } else if (!z->rgt()) {
         x = z->lft();
         xp = z->up();
         transplant(z, x, h);
      } else {
         base *y = minimum(z->rgt());
         removed_black = !y->is_red();
         x = y->rgt();
         if (y->up() == z) {
            xp = y;
         } else {
            xp = y->up();
            transplant(y, x, h);
            y->right = z->rgt();
            y->rgt()->set_up(y);
         }
         transplant(z, y, h);
         y->left = z->lft();
         y->lft()->set_up(y);
         y->set_red(z->is_red());
      }
      if (h->up() == nullptr) {
         // The tree is empty now.
         h->left = h;
         h->right = h;
         return;
      }
      if (!removed_black) {
         return;
      }
      while (x != h->up() && is_black(x)) {
         // `x` is its parent's right child if `s`; its sibling `w` is on the other side.
         const bool s = x != xp->lft();
         base *w = kid(xp, !s);
         if (w->is_red()) {
            w->set_red(false);
            xp->set_red(true);
            rotate(xp, s, h);
            w = kid(xp, !s);
         }
         if (is_black(w->lft()) && is_black(w->rgt())) {
            w->set_red(true);
            x = xp;
            xp = xp->up();
         } else {
            if (is_black(kid(w, !s))) {
               kid(w, s)->set_red(false);
               w->set_red(true);
               rotate(w, !s, h);
               w = kid(xp, !s);
            }
            w->set_red(xp->is_red());
            xp->set_red(false);
            if (kid(w, !s)) {
               kid(w, !s)->set_red(false);
            }
            rotate(xp, s, h);
            x = h->up();
            break;
         }
      }
      if (x) {
         x->set_red(false);
      }
   }

   /// Moves the whole tree of header `from` to header `to` (which must be empty).
   static void move_header(base *to, base *from) noexcept {
      base *root = from->up();
      if (!root) {
         init_header(to);
         return;
      }
      to->set_up(root);
      to->left = from->lft();
      to->right = from->rgt();
      to->set_red(true);
      root->set_up(to);
      init_header(from);
   }

   /// Checks the red-black rules and the header; returns the black height or -1.
   static int check(const base *x, const base *parent) noexcept {
      if (!x) {
         return 1;
      }
      if (x->up() != parent) {
         return -1;
      }
      if (x->is_red() && ((x->lft() && x->lft()->is_red()) || (x->rgt() && x->rgt()->is_red()))) {
         return -1;
      }
      const int l = check(x->lft(), x);
      const int r = check(x->rgt(), x);
      if (l < 0 || l != r) {
         return -1;
      }
      return l + (x->is_red() ? 0 : 1);
   }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_RBTREE_ALGO_HPP
