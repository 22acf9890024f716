package taskdef

import "sort"

// Allocation is how many of the tasks one capacity provider gets.
type Allocation struct {
	Provider   string `json:"capacityProvider"`
	Base       int    `json:"base"`
	Weight     int    `json:"weight"`
	Tasks      int    `json:"tasks"`
	FromBase   int    `json:"fromBase"`
	FromWeight int    `json:"fromWeight"`
}

// Spread estimates how ECS places n tasks over a strategy: bases first (in
// strategy order, each capped by the tasks left), then the rest in
// proportion to the weights. ECS does not publish how it rounds, so the
// split is an estimate: each provider gets the floor of its exact share, and
// the tasks left over go one each to the largest fractional remainders, ties
// to the provider listed first.
func Spread(items []StrategyItem, n int) []Allocation {
	out := make([]Allocation, len(items))
	left := max(n, 0)
	for i, it := range items {
		out[i] = Allocation{Provider: it.Provider.Value, Base: it.Base.Value, Weight: it.Weight.Value}
		b := min(max(it.Base.Value, 0), left)
		out[i].FromBase = b
		left -= b
	}
	total := 0
	for _, it := range items {
		total += max(it.Weight.Value, 0)
	}
	if total > 0 && left > 0 {
		type share struct{ index, remainder int }
		shares := make([]share, 0, len(items))
		given := 0
		for i, it := range items {
			w := max(it.Weight.Value, 0)
			out[i].FromWeight = left * w / total
			given += out[i].FromWeight
			shares = append(shares, share{i, left * w % total})
		}
		sort.SliceStable(shares, func(a, b int) bool { return shares[a].remainder > shares[b].remainder })
		for k := 0; given < left; k++ {
			out[shares[k].index].FromWeight++
			given++
		}
	}
	for i := range out {
		out[i].Tasks = out[i].FromBase + out[i].FromWeight
	}
	return out
}
