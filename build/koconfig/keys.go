package koconfig

import "strings"

// topLevelKeys and buildKeys are the keys imgcheck implements, spelled as ko
// documents them. ko reads .ko.yaml through viper, which ignores case, so
// matching is case-insensitive too.
var (
	topLevelKeys = []string{
		"defaultBaseImage", "baseImageOverrides", "defaultPlatforms",
		"defaultEnv", "defaultFlags", "defaultLdflags", "builds",
	}
	buildKeys = []string{"id", "dir", "main", "env", "flags", "ldflags"}
)

// koOnlyTopLevelKeys and koOnlyBuildKeys are keys ko (or the GoReleaser
// schema ko borrows) knows that imgcheck does not implement. Accepting them
// silently would build a different program than ko, so they are refused with
// a message that says so.
var (
	koOnlyTopLevelKeys = []string{"defaultAppDirectory", "defaultLabels", "defaultAnnotations"}
	koOnlyBuildKeys    = []string{
		"linux_capabilities", "testLdflags", "testFlags",
		"goos", "goarch", "goarm", "gomips", "targets", "binary", "lang",
		"asmflags", "gcflags", "mod_timestamp", "gobinary", "hooks", "skip", "ignore",
	}
)

// canonicalKey returns the documented spelling of key from known, if any.
func canonicalKey(key string, known []string) (string, bool) {
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return k, true
		}
	}
	return "", false
}

// suggest returns the known key closest to key, or "" when none is close
// enough to be a plausible typo.
func suggest(key string, known ...[]string) string {
	best, bestDist := "", len(key)/2+2
	lk := strings.ToLower(key)
	for _, list := range known {
		for _, k := range list {
			if d := editDistance(lk, strings.ToLower(k)); d < bestDist {
				best, bestDist = k, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance, bounded in cost by the short
// keys it compares (keys longer than 64 bytes never get a suggestion).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return len(a) + len(b)
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
