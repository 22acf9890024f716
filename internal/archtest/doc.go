// Package archtest holds the test of the import rules between the
// module's packages (see imports_test.go). It has no code of its own.
package archtest
