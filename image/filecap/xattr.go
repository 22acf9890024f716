package filecap

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
)

// Names under which file capabilities travel.
const (
	// XattrName is the extended attribute holding a file's capabilities.
	XattrName = "security.capability"
	// PAXRecord is the PAX record a tar entry carries it in; archive/tar,
	// containerd and Docker read extended attributes from SCHILY.xattr.*.
	PAXRecord = "SCHILY.xattr." + XattrName
)

// Layout of struct vfs_cap_data / vfs_ns_cap_data
// (include/uapi/linux/capability.h): a little-endian magic_etc word (the
// revision in the top byte, flags below), then permitted and inheritable
// words, low 32 bits first, then for revision 3 the root user id.
const (
	revisionMask  = 0xFF000000
	flagEffective = 0x000001
	revision1     = 0x01000000
	revision2     = 0x02000000
	revision3     = 0x03000000
	sizeRevision1 = 4 + 2*4       // one permitted and one inheritable word
	sizeRevision2 = 4 + 2*2*4     // two of each
	sizeRevision3 = 4 + 2*2*4 + 4 // and rootid
)

// Caps is the content of a security.capability attribute.
type Caps struct {
	// Revision is 2 (VFS_CAP_REVISION_2) or 3 (VFS_CAP_REVISION_3, which
	// adds RootID).
	Revision int
	// Effective is the attribute's effective bit: execve raises every
	// permitted capability into the effective set, and fails with EPERM
	// when the process cannot get all of them.
	Effective   bool
	Permitted   Set
	Inheritable Set
	// RootID is the user id that is root in the user namespace the
	// capabilities belong to (revision 3). Without a user namespace only 0
	// applies; the kernel ignores the attribute for any other.
	RootID uint32
}

// Parse reads the attribute's bytes. It accepts exactly what the kernel's
// setxattr accepts (cap_convert_nscap's validheader): revision 2 in 20
// bytes or revision 3 in 24, with no flag but the effective bit. Anything
// else is an error: the kernel refuses to set it (EINVAL), so a runtime
// cannot apply the layer as written.
func Parse(b []byte) (Caps, error) {
	if len(b) < 4 {
		return Caps{}, fmt.Errorf("%s is %d bytes, shorter than its 4-byte header", XattrName, len(b))
	}
	magic := binary.LittleEndian.Uint32(b)
	rev := magic & revisionMask
	var c Caps
	switch rev {
	case revision2:
		c.Revision = 2
		if len(b) != sizeRevision2 {
			return Caps{}, fmt.Errorf("%s revision 2 must be %d bytes, is %d", XattrName, sizeRevision2, len(b))
		}
	case revision3:
		c.Revision = 3
		if len(b) != sizeRevision3 {
			return Caps{}, fmt.Errorf("%s revision 3 must be %d bytes, is %d", XattrName, sizeRevision3, len(b))
		}
		c.RootID = binary.LittleEndian.Uint32(b[20:])
	case revision1:
		return Caps{}, fmt.Errorf("%s revision 1 (%d bytes, 32 capabilities): the kernel sets only revisions 2 and 3", XattrName, len(b))
	default:
		return Caps{}, fmt.Errorf("%s has unknown revision %#x", XattrName, rev>>24)
	}
	if flags := magic &^ revisionMask; flags&^flagEffective != 0 {
		return Caps{}, fmt.Errorf("%s has flags %#x; the kernel knows only the effective bit (1)", XattrName, flags)
	}
	c.Effective = magic&flagEffective != 0
	c.Permitted = Set(binary.LittleEndian.Uint32(b[4:])) | Set(binary.LittleEndian.Uint32(b[12:]))<<32
	c.Inheritable = Set(binary.LittleEndian.Uint32(b[8:])) | Set(binary.LittleEndian.Uint32(b[16:]))<<32
	return c, nil
}

// Marshal writes the attribute in the kernel's format: revision 2, or 3
// when Revision says so.
func (c Caps) Marshal() []byte {
	size, magic := sizeRevision2, uint32(revision2)
	if c.Revision == 3 {
		size, magic = sizeRevision3, revision3
	}
	if c.Effective {
		magic |= flagEffective
	}
	b := make([]byte, size)
	binary.LittleEndian.PutUint32(b, magic)
	binary.LittleEndian.PutUint32(b[4:], uint32(c.Permitted))
	binary.LittleEndian.PutUint32(b[8:], uint32(c.Inheritable))
	binary.LittleEndian.PutUint32(b[12:], uint32(c.Permitted>>32))
	binary.LittleEndian.PutUint32(b[16:], uint32(c.Inheritable>>32))
	if c.Revision == 3 {
		binary.LittleEndian.PutUint32(b[20:], c.RootID)
	}
	return b
}

// String is the capabilities in getcap's notation: "cap_net_bind_service=ep".
// Capabilities with the same flags are grouped, lowest number first. As
// libcap reports it, a file's effective bit makes every capability it
// names effective.
func (c Caps) String() string {
	type group struct {
		flags string
		caps  []string
	}
	var groups []group
	at := map[string]int{}
	for _, n := range (c.Permitted | c.Inheritable).Numbers() {
		flags := ""
		if c.Effective {
			flags += "e"
		}
		if c.Inheritable.Has(n) {
			flags += "i"
		}
		if c.Permitted.Has(n) {
			flags += "p"
		}
		i, ok := at[flags]
		if !ok {
			i = len(groups)
			at[flags] = i
			groups = append(groups, group{flags: flags})
		}
		groups[i].caps = append(groups[i].caps, strings.ToLower(Name(n)))
	}
	if len(groups) == 0 {
		return "="
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = strings.Join(g.caps, ",") + "=" + g.flags
	}
	return strings.Join(parts, " ")
}

// MarshalJSON writes the capabilities with names, and their getcap text.
func (c Caps) MarshalJSON() ([]byte, error) {
	type out struct {
		Text        string   `json:"text"`
		Revision    int      `json:"revision"`
		Effective   bool     `json:"effective"`
		Permitted   []string `json:"permitted"`
		Inheritable []string `json:"inheritable"`
		RootID      *uint32  `json:"rootid,omitempty"`
	}
	o := out{Text: c.String(), Revision: c.Revision, Effective: c.Effective,
		Permitted: c.Permitted.Names(), Inheritable: c.Inheritable.Names()}
	if c.Revision == 3 {
		o.RootID = &c.RootID
	}
	return json.Marshal(o)
}
