package main

import (
	"slices"
	"time"
)

// sample is the repetitions of one measurement.
type sample struct {
	Wall     []time.Duration
	Bytes    []int64 // downloaded (or uploaded, for builds) per repetition
	Requests []int
}

func (s *sample) add(wall time.Duration, bytes int64, requests int) {
	s.Wall = append(s.Wall, wall)
	s.Bytes = append(s.Bytes, bytes)
	s.Requests = append(s.Requests, requests)
}

// summary is a sample reduced to median and spread (min to max).
type summary struct {
	N                      int
	WallMedian             time.Duration
	WallMin, WallMax       time.Duration
	BytesMedian            int64
	BytesMin, BytesMax     int64
	RequestsMedian         int
	RequestsMin, RequestsM int
}

func (s sample) summary() summary {
	wm, wlo, whi := medianSpread(s.Wall)
	bm, blo, bhi := medianSpread(s.Bytes)
	rm, rlo, rhi := medianSpread(s.Requests)
	return summary{N: len(s.Wall), WallMedian: wm, WallMin: wlo, WallMax: whi,
		BytesMedian: bm, BytesMin: blo, BytesMax: bhi,
		RequestsMedian: rm, RequestsMin: rlo, RequestsM: rhi}
}

// medianSpread returns the median (the mean of the middle two for an even
// count), the minimum and the maximum; zeros for no values.
func medianSpread[T int | int64 | time.Duration](xs []T) (median, lo, hi T) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[0], s[n-1]
}
