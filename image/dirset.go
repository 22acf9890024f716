package image

import (
	"iter"
	"strings"
)

// dirSet is the set of directories a layer's entry names imply, as a tree
// of components: a directory is its parent's node and its own name, a
// substring of the entry name that implied it. Memory grows with the
// number of directories, not with their depth times their number (a map of
// whole paths held a key per ancestor), and adding a name costs one pass
// over it.
type dirSet struct {
	nodes map[dirKey]int32
	last  string // the directory added last: tar entries come grouped by directory
}

// dirKey names a directory by its parent's node (0 is the root) and its
// last component.
type dirKey struct {
	parent int32
	name   string
}

func newDirSet() *dirSet { return &dirSet{nodes: map[dirKey]int32{}} }

// add records dir (clean and absolute) and its ancestors, and returns how
// many directories were new.
func (d *dirSet) add(dir string) int {
	if dir == d.last {
		return 0
	}
	d.last = dir
	added := 0
	node := int32(0)
	for comp := range components(dir) {
		k := dirKey{node, comp}
		id, ok := d.nodes[k]
		if !ok {
			id = int32(len(d.nodes) + 1)
			d.nodes[k] = id
			added++
		}
		node = id
	}
	return added
}

// has reports whether p (clean and absolute) is a directory of the set.
func (d *dirSet) has(p string) bool {
	node := int32(0)
	for comp := range components(p) {
		id, ok := d.nodes[dirKey{node, comp}]
		if !ok {
			return false
		}
		node = id
	}
	return true
}

// components yields the components of a clean absolute path, without
// copying them; "/" has none.
func components(p string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for rest := strings.TrimPrefix(p, "/"); rest != ""; {
			comp, after, _ := strings.Cut(rest, "/")
			if !yield(comp) {
				return
			}
			rest = after
		}
	}
}
