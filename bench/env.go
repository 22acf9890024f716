package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machineInfo describes where the numbers were taken.
type machineInfo struct {
	CPUs       int
	CPUModel   string
	MemoryGiB  float64
	Kernel     string
	LoadAvg    string // 1, 5 and 15 minute load average at the start
	LoadAvgEnd string
}

func readMachine() machineInfo {
	m := machineInfo{CPUs: runtime.NumCPU(), LoadAvg: readLoadAvg()}
	m.CPUModel = procField("/proc/cpuinfo", "model name")
	if kb, err := strconv.ParseFloat(strings.Fields(procField("/proc/meminfo", "MemTotal") + " 0")[0], 64); err == nil {
		m.MemoryGiB = kb / (1 << 20)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

func readLoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(file, key string) string {
	f, err := os.Open(file)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// toolVersion is one tool and what it says its version is.
type toolVersion struct {
	Tool    string
	Version string
}

// readVersions asks every tool the harness runs for its version.
func readVersions(ctx context.Context, h *harness) []toolVersion {
	commit := "unknown"
	if out, err := exec.CommandContext(ctx, "git", "-C", h.repo, "rev-parse", "--short=12", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
	}
	checks := []struct {
		tool string
		argv []string
	}{
		{"imgcheck", []string{h.imgcheck, "version"}},
		{"go", []string{"go", "version"}},
		{"regctl", []string{"regctl", "version", "--format", "{{.VCSTag}}"}},
		{"crane", []string{"crane", "version"}},
		{"ko", []string{"ko", "version"}},
		{"skopeo", []string{"skopeo", "--version"}},
		{"docker-registry", []string{"docker-registry", "--version"}},
		{"GNU tar", []string{"tar", "--version"}},
	}
	out := []toolVersion{{Tool: "imgcheck commit", Version: commit}}
	for _, c := range checks {
		v := "not found"
		res, err := h.exec(ctx, execSpec{Dir: h.work, Argv: c.argv})
		if err == nil && res.Exit == 0 {
			v = firstLine(string(res.Stdout))
		}
		out = append(out, toolVersion{Tool: c.tool, Version: v})
	}
	return out
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
