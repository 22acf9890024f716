package taskdef

import "errors"

// ErrAmbiguous: a file holds several task definitions or services and
// nothing says which one is meant (LoadOptions.Resource does). Programs
// tell their users how to name one.
var ErrAmbiguous = errors.New("choose one by name")
