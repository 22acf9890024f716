package taskdef

import "github.com/imgcheck/imgcheck/internal/suggest"

// didYouMean formats a suggestion suffix.
func didYouMean(got string, candidates []string) string {
	if s := suggest.Closest(got, candidates); s != "" {
		return " (did you mean " + s + "?)"
	}
	return ""
}
