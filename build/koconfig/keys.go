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
	buildKeys = []string{"id", "dir", "main", "env", "flags", "ldflags", "linux_capabilities"}
)

// koOnlyTopLevelKeys and koOnlyBuildKeys are keys ko (or the GoReleaser
// schema ko borrows) knows that imgcheck does not implement. Accepting them
// silently would build a different program than ko, so they are refused with
// a message that says so.
var (
	koOnlyTopLevelKeys = []string{"defaultAppDirectory", "defaultLabels", "defaultAnnotations"}
	koOnlyBuildKeys    = []string{
		"testLdflags", "testFlags",
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
