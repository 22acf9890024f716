// Package suggest finds the known name closest to a mistyped one, for
// "did you mean ...?" in error messages about input files.
package suggest

import "strings"

// maxLen bounds the names compared: keys are short, and a hostile input
// must not make every error quadratic in its length.
const maxLen = 256

// Closest returns the candidate nearest to got by edit distance, ignoring
// case, or "" when nothing is close enough to be a plausible typo (more
// than max(2, len(got)/3) edits away).
func Closest(got string, candidates ...[]string) string {
	best, bestDist := "", -1
	g := strings.ToLower(got)
	for _, list := range candidates {
		for _, c := range list {
			if d := EditDistance(g, strings.ToLower(c)); bestDist < 0 || d < bestDist {
				best, bestDist = c, d
			}
		}
	}
	if bestDist < 0 || bestDist > max(2, len(got)/3) {
		return ""
	}
	return best
}

// EditDistance is the Levenshtein distance between a and b, in bytes.
// Names longer than 256 bytes are as far apart as their lengths.
func EditDistance(a, b string) int {
	if len(a) > maxLen || len(b) > maxLen {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
