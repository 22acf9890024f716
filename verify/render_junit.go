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
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
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
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

var junitFamilies = []string{FamilyPlatform, FamilyEntrypoint, FamilyTask, FamilyService}

// renderJUnit writes one test suite per container/platform with one test
// case per rule family. Findings at or above fail-on are failures; the
// others are listed in system-out. Problems are errors.
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
	if len(r.Errors) > 0 {
		suite := junitSuite{Name: "could not verify"}
		for i, p := range r.Errors {
			suite.Cases = append(suite.Cases, junitCase{Name: fmt.Sprintf("problem %d", i+1), ClassName: "imgcheck",
				Error: &junitMessage{Message: problemLine(p), Type: "error", Text: problemLine(p)}})
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
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
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
	c := junitCase{Name: fam, ClassName: strings.Trim(t.TaskDef+"."+t.Container+"."+t.Platform, ".")}
	var failing, other []string
	for _, f := range r.Findings {
		if !f.sameTarget(t) || f.Family() != fam {
			continue
		}
		line := fmt.Sprintf("%s %s %s", f.Severity, f.RuleID, f.Message)
		if f.Evidence != "" {
			line += " (evidence: " + f.Evidence + ")"
		}
		if f.Severity >= r.FailOn {
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

func hasFamilyFindings(r *Report, t Target, fam string) bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.sameTarget(t) && f.Family() == fam })
}
