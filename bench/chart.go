package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Chart geometry, in pixels.
const (
	chartW, chartH = 1000, 560
	plotLeft       = 90
	plotRight      = chartW - 20
	plotTop        = 60
	plotBottom     = chartH - 110
)

// toolColors are the bar colours, one per tool of benchmark 1.
var toolColors = map[string]color.RGBA{
	toolInspect: {0x1f, 0x77, 0xb4, 0xff},
	toolVerify:  {0x6b, 0xae, 0xd6, 0xff},
	toolRegctl:  {0xd6, 0x27, 0x28, 0xff},
	toolCrane:   {0xff, 0x7f, 0x0e, 0xff},
	toolSkopeo:  {0x7f, 0x7f, 0x7f, 0xff},
}

// renderChart draws bytes downloaded per tool and image (median), on a
// log scale, as a PNG.
func renderChart(probe []probeResult) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	ink := color.RGBA{0x22, 0x22, 0x22, 0xff}
	grid := color.RGBA{0xdd, 0xdd, 0xdd, 0xff}

	images, byKey := groupProbe(probe)
	lo, hi := logBounds(probe)
	yOf := func(v int64) int {
		lv := math.Log10(math.Max(float64(v), 1))
		return plotBottom - int(float64(plotBottom-plotTop)*(lv-lo)/(hi-lo))
	}
	label(img, plotLeft, 25, ink, "Bytes downloaded to learn the architecture of the linux/arm64 entrypoint binary (median, log scale)")
	label(img, plotLeft, 42, ink, "lower is better; skopeo reads only the config (metadata floor): it cannot see the binary")
	for e := int(lo); e <= int(hi); e++ {
		y := yOf(int64(math.Pow10(e)))
		hline(img, plotLeft, plotRight, y, grid)
		text := decadeLabel(e)
		label(img, plotLeft-8-7*len(text), y+4, ink, text)
	}
	vline(img, plotLeft, plotTop, plotBottom, ink)
	hline(img, plotLeft, plotRight, plotBottom, ink)

	groupW := (plotRight - plotLeft) / max(len(images), 1)
	barW := (groupW - 40) / len(chartTools)
	for gi, key := range images {
		x0 := plotLeft + gi*groupW + 20
		for ti, tool := range chartTools {
			r, ok := byKey[key+"/"+tool]
			if !ok {
				continue
			}
			v := r.Summary.BytesMedian
			x := x0 + ti*barW
			fill(img, image.Rect(x+2, yOf(v), x+barW-2, plotBottom), toolColors[tool])
			text := compactBytes(v)
			label(img, x+barW/2-7*len(text)/2, yOf(v)-5, ink, text)
		}
		caption := "(" + key + ")"
		label(img, x0+groupW/2-20-7*len(caption)/2, plotBottom+18, ink, caption)
	}
	lx, ly := plotLeft, plotBottom+45
	for _, tool := range chartTools {
		fill(img, image.Rect(lx, ly-10, lx+12, ly+2), toolColors[tool])
		label(img, lx+18, ly, ink, tool)
		lx += 18 + 7*len(tool) + 28
	}
	label(img, plotLeft, ly+30, ink, "(a) ko-style, binary in the top layer   (b) (a) + 60 MB incompressible base layer   (c) binary under a 20 MB upper layer")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// groupProbe returns the image keys in order and the results by image/tool.
func groupProbe(probe []probeResult) ([]string, map[string]probeResult) {
	var keys []string
	by := map[string]probeResult{}
	for _, r := range probe {
		if len(keys) == 0 || keys[len(keys)-1] != r.Image {
			keys = append(keys, r.Image)
		}
		by[r.Image+"/"+r.Tool] = r
	}
	return keys, by
}

// logBounds are whole decades around every median, at least 1 KB to 1 MB.
func logBounds(probe []probeResult) (lo, hi float64) {
	lo, hi = 3, 6
	for _, r := range probe {
		v := math.Log10(math.Max(float64(r.Summary.BytesMedian), 1))
		lo, hi = math.Min(lo, math.Floor(v)), math.Max(hi, math.Ceil(v+0.15))
	}
	return lo, hi
}

func label(img draw.Image, x, y int, c color.Color, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func fill(img draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func hline(img draw.Image, x0, x1, y int, c color.Color) {
	fill(img, image.Rect(x0, y, x1, y+1), c)
}

func vline(img draw.Image, x, y0, y1 int, c color.Color) {
	fill(img, image.Rect(x, y0, x+1, y1), c)
}

// humanBytes formats a byte count with a decimal unit: 950 B, 12.3 KB, 61 MB.
func humanBytes(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	v, u := float64(n), 0
	for v >= 1000 && u < len(units)-1 {
		v /= 1000
		u++
	}
	switch {
	case u == 0:
		return fmt.Sprintf("%d B", n)
	case v < 10:
		return fmt.Sprintf("%.2f %s", v, units[u])
	case v < 100:
		return fmt.Sprintf("%.1f %s", v, units[u])
	}
	return fmt.Sprintf("%.0f %s", v, units[u])
}

// decadeLabel names 10^e bytes: 1 KB, 10 KB, 100 KB, 1 MB...
func decadeLabel(e int) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	u := min(max(e, 0)/3, len(units)-1)
	return fmt.Sprintf("%.0f %s", math.Pow10(e-3*u), units[u])
}

// compactBytes is a bar label: two significant digits, no space (3.5MB).
func compactBytes(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	v, u := float64(n), 0
	for v >= 1000 && u < len(units)-1 {
		v /= 1000
		u++
	}
	if v < 10 && u > 0 {
		return fmt.Sprintf("%.1f%s", v, units[u])
	}
	return fmt.Sprintf("%.0f%s", v, units[u])
}
