package verify

import (
	"encoding/json"
	"io"
)

// SARIF 2.1.0, the subset code-scanning tools read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Results     []sarifResult     `json:"results"`
	Invocations []sarifInvocation `json:"invocations"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifRuleLevel `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifRuleLevel struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   map[string]any     `json:"properties,omitempty"`
}

// sarifSuppression: kind "external" for the run's ignore list, "inSource"
// for a request written in the task definition.
type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// ruleCouldNotVerify is the SARIF rule of a problem located in an input
// file (a typo in the task definition), so that code scanning shows it at
// its line; problems elsewhere stay tool notifications.
var ruleCouldNotVerify = Rule{ID: "could-not-verify", Family: FamilyInput, Severity: Error, Title: "Could not verify",
	Help: "A check could not run because of the input at this position: fix it and run again. imgcheck never passes a run it could not verify (exit 2)."}

// renderSARIF writes SARIF 2.1.0 with every rule described, so that code
// scanning shows help text. Every result has a location: its line in the
// task definition, or the image for image-only runs.
func renderSARIF(w io.Writer, r *Report) error {
	rules := append(append(Rules(), inputRules...), ruleCouldNotVerify)
	index := map[string]int{}
	driver := sarifDriver{Name: "imgcheck", Version: r.Tool.Version,
		InformationURI: "https://github.com/imgcheck/imgcheck/blob/main/docs/rules.md"}
	for i, rule := range rules {
		index[rule.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: rule.ID, Name: rule.Title,
			ShortDescription:     sarifText{rule.Title},
			FullDescription:      sarifText{rule.Help},
			Help:                 sarifText{rule.Help},
			DefaultConfiguration: sarifRuleLevel{sarifLevel(rule.Severity)},
			Properties:           map[string]any{"family": rule.Family},
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, f := range append(append([]Finding{}, r.Findings...), r.Suppressed...) {
		run.Results = append(run.Results, sarifFindingResult(r, f, index[f.RuleID]))
	}
	inv := sarifInvocation{ExecutionSuccessful: len(r.Errors) == 0}
	for _, p := range r.Errors {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: "error", Message: sarifText{problemLine(p)}})
		if p.Location != nil && p.Location.File != "" {
			run.Results = append(run.Results, sarifResult{RuleID: ruleCouldNotVerify.ID, RuleIndex: index[ruleCouldNotVerify.ID],
				Level: "error", Message: sarifText{problemLine(p)}, Locations: []sarifLocation{sarifFileLocation(p.Location)}})
		}
	}
	for _, t := range r.Targets {
		if note := prefixReadNote(t); note != "" {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
				sarifNotification{Level: "note", Message: sarifText{note}})
		}
	}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifFindingResult(r *Report, f Finding, ruleIndex int) sarifResult {
	msg := f.Message
	if f.Evidence != "" {
		msg += " (evidence: " + f.Evidence + ")"
	}
	if f.Fix != "" {
		msg += " Fix: " + f.Fix
	}
	res := sarifResult{RuleID: f.RuleID, RuleIndex: ruleIndex, Level: sarifLevel(f.Severity),
		Message:    sarifText{msg},
		Locations:  []sarifLocation{sarifFindingLocation(r, f)},
		Properties: map[string]any{"container": f.Container, "platform": f.Platform}}
	if f.TaskDef != "" {
		res.Properties["taskDefinition"] = f.TaskDef
	}
	if f.Image != "" {
		res.Properties["image"] = f.Image
	}
	if s := f.Suppressed; s != nil {
		kind := "inSource"
		if s.By == SuppressedByRun {
			kind = "external"
		}
		res.Suppressions = []sarifSuppression{{Kind: kind, Status: "accepted", Justification: s.String()}}
	}
	return res
}

// sarifFindingLocation: the finding's place in the task definition, else
// the image it judged, else the task definition (or the report's first
// one, or its first image) as a whole.
func sarifFindingLocation(r *Report, f Finding) sarifLocation {
	if f.Location != nil && f.Location.File != "" {
		return sarifFileLocation(f.Location)
	}
	var candidates []string
	candidates = append(candidates, f.Image, f.TaskDef)
	if r.TaskDef != nil {
		candidates = append(candidates, r.TaskDef.File)
	}
	for _, s := range r.TaskDefs {
		candidates = append(candidates, s.File)
	}
	for _, t := range r.Targets {
		candidates = append(candidates, t.Image)
	}
	uri := "."
	for _, c := range candidates {
		if c != "" {
			uri = sarifURI(c)
			break
		}
	}
	return sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}}}
}

func sarifFileLocation(l *Location) sarifLocation {
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(l.File)}}}
	if l.Line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: l.Line, StartColumn: l.Column}
	}
	return loc
}
