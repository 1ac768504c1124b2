//go:build race

package testkit

// Race is true in a binary built with -race.
const Race = true
