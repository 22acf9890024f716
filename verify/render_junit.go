package verify

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

var junitFamilies = []string{FamilyPlatform, FamilyEntrypoint, FamilyTask, FamilyService, FamilyInput}

// renderJUnit writes one test suite per container/platform with one test
// case per rule family, and one for the findings about the task, the
// service and the input files themselves. Findings at or above fail-on are
// failures; the others are listed in system-out. Suppressed findings are
// skipped test cases. A problem located in an input file (a typo in the
// task definition) is a failure at that position; other problems are
// errors.
func renderJUnit(w io.Writer, r *Report) error {
	out := junitSuites{Name: "imgcheck verify"}
	for _, t := range r.Targets {
		suite := junitSuite{Name: strings.TrimSpace(t.TaskDef + " " + t.Container + " " + t.Platform)}
		if note := prefixReadNote(t); note != "" {
			suite.Properties = []junitProperty{{Name: "readMode", Value: t.ReadMode}, {Name: "readModeNote", Value: note}}
		}
		for _, fam := range junitFamilies {
			if !slices.Contains(t.Checks, fam) && !hasFamilyFindings(r, t, fam) {
				continue
			}
			suite.Cases = append(suite.Cases, junitFamilyCase(r, t, fam))
		}
		out.Suites = append(out.Suites, suite)
	}
	out.Suites = append(out.Suites, junitUntargetedSuites(r)...)
	if len(r.Suppressed) > 0 {
		suite := junitSuite{Name: "suppressed"}
		for _, f := range r.Suppressed {
			line := junitFindingLine(f)
			suite.Cases = append(suite.Cases, junitCase{Name: f.RuleID, ClassName: junitClass(f.TaskDef, f.Container, f.Platform),
				Skipped: &junitMessage{Message: f.Suppressed.String(), Type: "suppressed", Text: line}})
		}
		out.Suites = append(out.Suites, suite)
	}
	if len(r.Errors) > 0 {
		suite := junitSuite{Name: "could not verify"}
		for i, p := range r.Errors {
			c := junitCase{Name: fmt.Sprintf("problem %d", i+1), ClassName: "imgcheck"}
			if loc := p.Location.String(); loc != "" && p.Location.File != "" {
				msg := loc + ": " + problemLine(p)
				c.Failure = &junitMessage{Message: msg, Type: "input", Text: msg}
			} else {
				c.Error = &junitMessage{Message: problemLine(p), Type: "error", Text: problemLine(p)}
			}
			suite.Cases = append(suite.Cases, c)
		}
		out.Suites = append(out.Suites, suite)
	}
	for i := range out.Suites {
		s := &out.Suites[i]
		s.Tests = len(s.Cases)
		for _, c := range s.Cases {
			if c.Failure != nil {
				s.Failures++
			}
			if c.Error != nil {
				s.Errors++
			}
			if c.Skipped != nil {
				s.Skipped++
			}
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitFamilyCase(r *Report, t Target, fam string) junitCase {
	c := junitCase{Name: fam, ClassName: junitClass(t.TaskDef, t.Container, t.Platform)}
	return junitFindingsCase(r, c, func(f Finding) bool { return f.sameTarget(t) && f.Family() == fam })
}

// junitFindingsCase fills a test case with the findings that match.
func junitFindingsCase(r *Report, c junitCase, match func(Finding) bool) junitCase {
	var failing, other []string
	for _, f := range r.Findings {
		if !match(f) {
			continue
		}
		if line := junitFindingLine(f); f.Severity >= r.FailOn {
			failing = append(failing, line)
		} else {
			other = append(other, line)
		}
	}
	if len(failing) > 0 {
		c.Failure = &junitMessage{Message: failing[0], Type: "imgcheck", Text: strings.Join(failing, "\n")}
	}
	c.SystemOut = strings.Join(other, "\n")
	return c
}

func junitFindingLine(f Finding) string {
	line := fmt.Sprintf("%s %s %s", f.Severity, f.RuleID, f.Message)
	if f.Evidence != "" {
		line += " (evidence: " + f.Evidence + ")"
	}
	if loc := f.Location.String(); loc != "" {
		line += " [" + loc + "]"
	}
	return line
}

func junitClass(parts ...string) string {
	return strings.Join(nonEmpty(parts...), ".")
}

// junitUntargetedSuites holds the findings tied to no checked target
// (task-, service- and input-level), one suite per task definition, one
// test case per family.
func junitUntargetedSuites(r *Report) []junitSuite {
	var suites []junitSuite
	byTaskDef := map[string]int{}
	for _, f := range r.Findings {
		if hasTarget(r, f) {
			continue
		}
		i, ok := byTaskDef[f.TaskDef]
		if !ok {
			i = len(suites)
			byTaskDef[f.TaskDef] = i
			suites = append(suites, junitSuite{Name: strings.TrimSpace(f.TaskDef + " task and service")})
		}
		if slices.ContainsFunc(suites[i].Cases, func(c junitCase) bool { return c.Name == f.Family() }) {
			continue
		}
		taskDef, fam := f.TaskDef, f.Family()
		c := junitCase{Name: fam, ClassName: junitClass(taskDef, "task")}
		suites[i].Cases = append(suites[i].Cases, junitFindingsCase(r, c, func(g Finding) bool {
			return g.TaskDef == taskDef && g.Family() == fam && !hasTarget(r, g)
		}))
	}
	return suites
}

func hasFamilyFindings(r *Report, t Target, fam string) bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.sameTarget(t) && f.Family() == fam })
}
