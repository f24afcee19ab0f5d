// interproc C++ wrapper: the red-black tree algorithm behind set, multiset, map and
// multimap (not part of the public API): the nodes' links and colour, and rebalancing on
// raw node addresses. The container over it is in tree.hpp.
#ifndef INTERPROC_CONTAINERS_DETAIL_RBTREE_ALGO_HPP
#define INTERPROC_CONTAINERS_DETAIL_RBTREE_ALGO_HPP

#include <interproc/containers/detail/uses_allocator.hpp>

#include <cstddef>
#include <memory>
#include <utility>

namespace interproc {
namespace detail {

/// The links and colour of a tree node; the links are the allocator's pointer type.
template <class VoidPtr> struct tree_node_base {
   typedef typename rebind_pointer<VoidPtr, tree_node_base>::type link;
   link parent;
   link left;
   link right;
   bool red;

   tree_node_base() noexcept : parent(), left(), right(), red(false) {}
   tree_node_base(const tree_node_base &) = delete;
   tree_node_base &operator=(const tree_node_base &) = delete;

   tree_node_base *up() const noexcept { return raw_address(parent); }
   tree_node_base *lft() const noexcept { return raw_address(left); }
   tree_node_base *rgt() const noexcept { return raw_address(right); }
};

/// A node with its value.
template <class T, class VoidPtr> struct tree_node : tree_node_base<VoidPtr> {
   union {
      T value;
   };
   tree_node() noexcept {}
   ~tree_node() {}
};

/// The red-black tree algorithms, on raw node addresses. The header node's parent is the
/// root, its left the leftmost node and its right the rightmost; it is red, the root black.
template <class VoidPtr> struct tree_algo {
   typedef tree_node_base<VoidPtr> base;

   static base *minimum(base *x) noexcept {
      while (x->lft()) {
         x = x->lft();
      }
      return x;
   }
   static base *maximum(base *x) noexcept {
      while (x->rgt()) {
         x = x->rgt();
      }
      return x;
   }
   static bool is_header(const base *x) noexcept { return x->red && x->up() && x->up()->up() == x; }

   static base *next(base *x) noexcept {
      if (x->rgt()) {
         return minimum(x->rgt());
      }
      base *y = x->up();
      while (x == y->rgt()) {
         x = y;
         y = y->up();
      }
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
      base *y = x->up();
      while (x == y->lft()) {
         x = y;
         y = y->up();
      }
      return y;
   }

   static void init_header(base *h) noexcept {
      h->parent = nullptr;
      h->left = h;
      h->right = h;
      h->red = true;
   }

   static void set_child(base *parent, base *old_child, base *new_child, base *h) noexcept {
      if (parent == h) {
         h->parent = new_child;
      } else if (parent->lft() == old_child) {
         parent->left = new_child;
      } else {
         parent->right = new_child;
      }
   }

   static void rotate_left(base *x, base *h) noexcept {
      base *y = x->rgt();
      x->right = y->lft();
      if (y->lft()) {
         y->lft()->parent = x;
      }
      base *p = x->up();
      y->parent = p;
      set_child(p, x, y, h);
      y->left = x;
      x->parent = y;
   }
   static void rotate_right(base *x, base *h) noexcept {
      base *y = x->lft();
      x->left = y->rgt();
      if (y->rgt()) {
         y->rgt()->parent = x;
      }
      base *p = x->up();
      y->parent = p;
      set_child(p, x, y, h);
      y->right = x;
      x->parent = y;
   }

   /// Links the fresh node `z` as the left or right child of `p` (the header for an empty
   /// tree) and rebalances.
   static void link_and_rebalance(base *z, base *p, bool as_left, base *h) noexcept {
      z->parent = p;
      z->left = nullptr;
      z->right = nullptr;
      z->red = true;
      if (p == h) {
         h->parent = z;
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
      while (x != h->up() && x->up()->red) {
         base *xp = x->up();
         base *g = xp->up();
         if (xp == g->lft()) {
            base *u = g->rgt();
            if (u && u->red) {
               xp->red = false;
               u->red = false;
               g->red = true;
               x = g;
            } else {
               if (x == xp->rgt()) {
                  x = xp;
                  rotate_left(x, h);
                  xp = x->up();
               }
               xp->red = false;
               g->red = true;
               rotate_right(g, h);
            }
         } else {
            base *u = g->lft();
            if (u && u->red) {
               xp->red = false;
               u->red = false;
               g->red = true;
               x = g;
            } else {
               if (x == xp->lft()) {
                  x = xp;
                  rotate_right(x, h);
                  xp = x->up();
               }
               xp->red = false;
               g->red = true;
               rotate_left(g, h);
            }
         }
      }
      h->up()->red = false;
   }

   static void transplant(base *u, base *v, base *h) noexcept {
      set_child(u->up(), u, v, h);
      if (v) {
         v->parent = u->up();
      }
   }

   static bool is_black(const base *x) noexcept { return !x || !x->red; }

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
      bool removed_black = !z->red;
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
         removed_black = !y->red;
         x = y->rgt();
         if (y->up() == z) {
            xp = y;
         } else {
            xp = y->up();
            transplant(y, x, h);
            y->right = z->rgt();
            y->rgt()->parent = y;
         }
         transplant(z, y, h);
         y->left = z->lft();
         y->lft()->parent = y;
         y->red = z->red;
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
         if (x == xp->lft()) {
            base *w = xp->rgt();
            if (w->red) {
               w->red = false;
               xp->red = true;
               rotate_left(xp, h);
               w = xp->rgt();
            }
            if (is_black(w->lft()) && is_black(w->rgt())) {
               w->red = true;
               x = xp;
               xp = xp->up();
            } else {
               if (is_black(w->rgt())) {
                  w->lft()->red = false;
                  w->red = true;
                  rotate_right(w, h);
                  w = xp->rgt();
               }
               w->red = xp->red;
               xp->red = false;
               if (w->rgt()) {
                  w->rgt()->red = false;
               }
               rotate_left(xp, h);
               x = h->up();
               break;
            }
         } else {
            base *w = xp->lft();
            if (w->red) {
               w->red = false;
               xp->red = true;
               rotate_right(xp, h);
               w = xp->lft();
            }
            if (is_black(w->rgt()) && is_black(w->lft())) {
               w->red = true;
               x = xp;
               xp = xp->up();
            } else {
               if (is_black(w->lft())) {
                  w->rgt()->red = false;
                  w->red = true;
                  rotate_left(w, h);
                  w = xp->lft();
               }
               w->red = xp->red;
               xp->red = false;
               if (w->lft()) {
                  w->lft()->red = false;
               }
               rotate_right(xp, h);
               x = h->up();
               break;
            }
         }
      }
      if (x) {
         x->red = false;
      }
   }

   /// Moves the whole tree of header `from` to header `to` (which must be empty).
   static void move_header(base *to, base *from) noexcept {
      base *root = from->up();
      if (!root) {
         init_header(to);
         return;
      }
      to->parent = root;
      to->left = from->lft();
      to->right = from->rgt();
      to->red = true;
      root->parent = to;
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
      if (x->red && ((x->lft() && x->lft()->red) || (x->rgt() && x->rgt()->red))) {
         return -1;
      }
      const int l = check(x->lft(), x);
      const int r = check(x->rgt(), x);
      if (l < 0 || l != r) {
         return -1;
      }
      return l + (x->red ? 0 : 1);
   }
};

} // namespace detail
} // namespace interproc

#endif // INTERPROC_CONTAINERS_DETAIL_RBTREE_ALGO_HPP
