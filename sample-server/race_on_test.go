//go:build race

package main

// raceEnabled is true when the tests run with -race; the binary the tests
// start is then built with -race too, so a data race in the real process
// (exit status 66) fails them.
const raceEnabled = true
