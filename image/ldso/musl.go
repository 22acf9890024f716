package ldso

type musl struct{}

func newMusl(s *session, exe, interp *objectFile) *musl { return &musl{} }
func (m *musl) run() error                              { return nil }
