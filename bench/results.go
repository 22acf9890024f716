package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// results is everything one run measured; BENCHMARKS.md and the chart are
// rendered from it and nothing else.
type results struct {
	Started, Finished time.Time
	Reps, BuildReps   int
	Suites            []string
	Machine           machineInfo
	Versions          []toolVersion
	Fixtures          fixtures
	Probe             []probeResult
	Build             []buildResult
	Fleet             *fleetResult
	Real              *realResult
	GoBench           string // go test -bench output
}

// writeOutputs writes the chart, the raw JSON and the report.
func writeOutputs(repo string, o options, res *results) error {
	chartRel := filepath.ToSlash(o.chart)
	if len(res.Probe) > 0 {
		png, err := renderChart(res.Probe)
		if err != nil {
			return fmt.Errorf("rendering the chart: %w", err)
		}
		if err := writeFile(inRepo(repo, o.chart), png); err != nil {
			return err
		}
	}
	raw, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(inRepo(repo, o.jsonOut), append(raw, '\n')); err != nil {
		return err
	}
	var md bytes.Buffer
	if err := renderReport(&md, res, chartRel); err != nil {
		return fmt.Errorf("rendering the report: %w", err)
	}
	return writeFile(inRepo(repo, o.out), md.Bytes())
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// inRepo resolves a relative output path against the repository root.
func inRepo(repo, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(repo, p)
}
