//go:build !race

package main

// raceEnabled is false when the tests run without -race.
const raceEnabled = false
