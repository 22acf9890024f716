package taskdef

import (
	"fmt"
	"strings"
)

// ParseParams reads CloudFormation parameter values given as "Name=Value"
// (for LoadOptions.Params). The value may hold "=" and may be empty; the
// name may not. A name given twice takes its last value.
func ParseParams(kvs []string) (map[string]string, error) {
	params := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q: want Name=Value", kv)
		}
		params[k] = v
	}
	return params, nil
}
