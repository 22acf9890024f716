package main

import (
	"fmt"
	"strings"
	"time"
)

// target is one goal of issues 8 and 14, judged from the measured numbers.
type target struct {
	Goal   string
	Met    bool
	Detail string
	Why    string // for a target not met: what the numbers say about the cause
}

// judgeTargets compares the results with the targets.
func judgeTargets(res *results) []target {
	var out []target
	_, by := groupProbe(res.Probe)
	for _, key := range []string{"a", "b"} {
		ic, okI := by[key+"/"+toolInspect]
		rg, okR := by[key+"/"+toolRegctl]
		if !okI || !okR {
			continue
		}
		i, r := ic.Summary.BytesMedian, rg.Summary.BytesMedian
		out = append(out, target{
			Goal:   fmt.Sprintf("(%s) imgcheck downloads at most 1/20 of regctl get-file", key),
			Met:    i*20 <= r,
			Detail: fmt.Sprintf("imgcheck %s vs regctl %s: %s less", humanBytes(i), humanBytes(r), ratio(r, i)),
		})
	}
	if ic, ok := by["c/"+toolInspect]; ok {
		worst, peer := int64(-1), ""
		for _, tool := range []string{toolRegctl, toolCrane} {
			if p, ok := by["c/"+tool]; ok && (worst < 0 || p.Summary.BytesMedian < worst) {
				worst, peer = p.Summary.BytesMedian, tool
			}
		}
		if worst >= 0 {
			i := ic.Summary.BytesMedian
			out = append(out, target{
				Goal:   "(c) imgcheck downloads no more than any peer that reads the binary",
				Met:    i <= worst,
				Detail: fmt.Sprintf("imgcheck %s vs the least of the peers (%s) %s", humanBytes(i), peer, humanBytes(worst)),
				Why: fmt.Sprintf("every tool reads the whole upper layer (an entry after the others could replace or remove the binary); imgcheck reads %s more in %d requests against %d",
					humanBytes(i-worst), ic.Summary.RequestsMedian, by["c/"+peer].Summary.RequestsMedian),
			})
		}
	}
	for _, key := range []string{"a", "b", "c"} {
		ic, okI := by[key+"/"+toolInspect]
		rg, okR := by[key+"/"+toolRegctl]
		if !okI || !okR {
			continue
		}
		// Judged against the faster regctl: run to completion, or cut short
		// by head -c 64 as in the literal pipeline.
		variant := "run to completion"
		if cut, ok := by[key+"/"+toolRegctlCut]; ok && cut.Summary.WallMedian < rg.Summary.WallMedian {
			rg, variant = cut, "cut by SIGPIPE"
		}
		i, r := ic.Summary.WallMedian, rg.Summary.WallMedian
		out = append(out, target{
			Goal:   fmt.Sprintf("(%s) imgcheck wall time no worse than regctl's", key),
			Met:    i <= r,
			Detail: fmt.Sprintf("imgcheck %s vs regctl %s (medians; the faster regctl pipeline: %s)", ms(i), ms(r), variant),
			Why:    probeWallWhy(ic.Summary, rg.Summary),
		})
	}
	out = append(out, buildTargets(res.Build)...)
	out = append(out, realTargets(res.Real)...)
	if f := res.Fleet; f != nil {
		out = append(out, target{
			Goal:   "fleet, one task definition per invocation: shared manifests and blobs fetched once per invocation",
			Met:    f.MaxGets <= 1,
			Detail: fmt.Sprintf("at most %d GET(s) of one path in one invocation; repeated: %s", f.MaxGets, repeatedText(f)),
			Why:    fetchWhy(f.Repeated),
		})
		t := target{
			Goal:   "fleet: one imgcheck verify invocation for all 20 task definitions",
			Detail: "not possible: verify takes one --taskdef per run (a repeated --taskdef or a directory would be a CLI change)",
		}
		if f.MultiTaskDefFlag {
			t.Met = f.AllInOne.BytesMedian <= f.PerTaskDef.BytesMedian
			t.Detail = fmt.Sprintf("one invocation %s, %s, %d requests vs 20 invocations %s, %s, %d requests",
				ms(f.AllInOne.WallMedian), humanBytes(f.AllInOne.BytesMedian), f.AllInOne.RequestsMedian,
				ms(f.PerTaskDef.WallMedian), humanBytes(f.PerTaskDef.BytesMedian), f.PerTaskDef.RequestsMedian)
			out = append(out, t, target{
				Goal:   "fleet: in the one invocation, every manifest and blob fetched once",
				Met:    f.AllInOneMaxGets <= 1,
				Detail: fmt.Sprintf("at most %d GET(s) of one path; fetched more than once: %s", max(f.AllInOneMaxGets, 1), kindsText(f.AllInOneRepeated)),
				Why:    fetchWhy(f.AllInOneRepeated),
			})
			return out
		}
		out = append(out, t)
	}
	return out
}

func buildTargets(builds []buildResult) []target {
	var out []target
	find := func(tool string, sbom bool) (buildResult, bool) {
		for _, b := range builds {
			if b.Tool == tool && b.SBOM == sbom {
				return b, true
			}
		}
		return buildResult{}, false
	}
	for _, sbom := range []bool{false, true} {
		ic, okI := find(builderImgcheck, sbom)
		ko, okK := find(builderKo, sbom)
		if !okI || !okK {
			continue
		}
		mode := map[bool]string{false: "--sbom=none", true: "SBOMs on"}[sbom]
		for _, p := range buildPhases {
			i, k := ic.Phases[p].WallMedian, ko.Phases[p].WallMedian
			limit, goal := k, fmt.Sprintf("build %s, %s: no slower than ko", mode, p)
			if p == phaseCold {
				limit, goal = k+k/10, fmt.Sprintf("build %s, cold: within 10%% of ko", mode)
			}
			out = append(out, target{Goal: goal, Met: i <= limit,
				Detail: fmt.Sprintf("imgcheck %s vs ko %s (medians; %+.0f%%)", ms(i), ms(k), pct(i, k)),
				Why:    buildWhy(p, ic.Phases[p], ko.Phases[p], ic.Phases[phaseEdit].BytesMedian, ko.Phases[phaseEdit].BytesMedian)})
		}
		var layerBytes int64
		for _, b := range ic.WarmLayerBytes {
			layerBytes = max(layerBytes, b)
		}
		out = append(out, target{
			Goal:   fmt.Sprintf("build %s, warm rebuild uploads no layer bytes", mode),
			Met:    layerBytes == 0 && ic.Failures == 0,
			Detail: fmt.Sprintf("imgcheck uploaded at most %s to blob upload endpoints; total request bodies %s (manifests)", humanBytes(layerBytes), humanBytes(ic.Phases[phaseWarm].BytesMedian)),
		})
	}
	return out
}

func ratio(big, small int64) string {
	if small <= 0 {
		return "infinitely"
	}
	return fmt.Sprintf("%.0fx", float64(big)/float64(small))
}

func pct(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return 100 * (float64(a) - float64(b)) / float64(b)
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// fetchWhy says what was fetched more than once, by kind.
func fetchWhy(byKind map[string]int) string {
	var parts []string
	if n := byKind["layer range"]; n > 0 {
		parts = append(parts, fmt.Sprintf("ranged layer reads repeat on %d path(s)", n))
	} else {
		parts = append(parts, "no layer range was read twice (the blob cache is shared)")
	}
	if byKind["manifest"] > 0 || byKind["blob"] > 0 {
		parts = append(parts, fmt.Sprintf("but %d manifest path(s) and %d whole-blob path(s) (for these images, the configs: layers are read with ranges) were fetched more than once, once per container that runs the image rather than once per image",
			byKind["manifest"], byKind["blob"]))
	}
	return strings.Join(parts, " ")
}

// kindsText lists counts of paths by kind, or "none".
func kindsText(byKind map[string]int) string {
	var parts []string
	for _, kind := range []string{"manifest", "blob", "layer range"} {
		if n := byKind[kind]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s path(s)", n, kind))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// repeatedText says which kinds of paths were fetched more than once per
// invocation, and whether they were all in task definitions that run one
// image in both containers.
func repeatedText(f *fleetResult) string {
	total := 0
	var parts []string
	for _, kind := range []string{"manifest", "blob", "layer range"} {
		if n := f.Repeated[kind]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%d %s path(s)", n, kind))
		}
	}
	if total == 0 {
		return "none"
	}
	where := "some in task definitions with two different images"
	if f.RepeatedInSidecarTasks == total {
		where = "all in the task definitions that run one image in both containers (each container opens the image again)"
	}
	return strings.Join(parts, ", ") + "; " + where
}

// overlap says whether two samples' min-max ranges of wall time overlap.
func overlap(a, b summary) bool { return a.WallMin <= b.WallMax && b.WallMin <= a.WallMax }

func spreadText(a, b summary, an, bn string) string {
	return fmt.Sprintf("%s %s to %s, %s %s to %s", an, ms(a.WallMin), ms(a.WallMax), bn, ms(b.WallMin), ms(b.WallMax))
}

// probeWallWhy explains a slower imgcheck read from the measured spread
// and request counts.
func probeWallWhy(ic, rg summary) string {
	var parts []string
	if overlap(ic, rg) {
		parts = append(parts, "the spreads overlap ("+spreadText(ic, rg, "imgcheck", "regctl")+"): the difference is within the noise of this machine")
	}
	if ic.BytesMedian > 1<<20 && ic.WallMedian > rg.WallMedian {
		parts = append(parts, fmt.Sprintf("imgcheck read %s in %d requests against regctl's %s in %d: it reads the whole upper layer (an entry there could replace or remove the binary) and does so at %.0f MB/s against regctl's %.0f MB/s, so the time goes to package image's layer scan (download, gunzip, digest and tar walk), which a profile should take apart",
			humanBytes(ic.BytesMedian), ic.RequestsMedian, humanBytes(rg.BytesMedian), rg.RequestsMedian, mbps(ic), mbps(rg)))
	}
	return strings.Join(parts, "; ")
}

// buildWhy explains a slower imgcheck build from the measured spread,
// requests and uploads; icLayers and koLayers are the bytes each uploaded
// after the one-line change (the two binary layers, mostly).
func buildWhy(phase string, ic, ko summary, icLayers, koLayers int64) string {
	var parts []string
	if phase != phaseCold && icLayers > 0 && koLayers > 0 && abs(icLayers-koLayers) > koLayers/100 {
		parts = append(parts, fmt.Sprintf("imgcheck uploaded %s of layers against ko's %s after the one-line change (both compress at gzip.BestSpeed, and both compress the binary layers again on every build, a warm one included)",
			humanBytes(icLayers), humanBytes(koLayers)))
	}
	if overlap(ic, ko) {
		parts = append(parts, "the spreads overlap ("+spreadText(ic, ko, "imgcheck", "ko")+")")
	}
	if phase == phaseWarm && ic.RequestsMedian > ko.RequestsMedian {
		parts = append(parts, fmt.Sprintf("imgcheck made %d requests against ko's %d (it reads back what the registry serves after the push to compare digests, build/publish_registry.go) and uploaded %s against %s", ic.RequestsMedian, ko.RequestsMedian, humanBytes(ic.BytesMedian), humanBytes(ko.BytesMedian)))
	}
	if phase == phaseCold {
		parts = append(parts, "a cold build is dominated by go build compiling the standard library and the dependencies for two platforms, which both builders run")
	}
	return strings.Join(parts, "; ")
}

// mbps is a sample's median download rate in MB/s.
func mbps(s summary) float64 {
	if s.WallMedian <= 0 {
		return 0
	}
	return float64(s.BytesMedian) / 1e6 / s.WallMedian.Seconds()
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
