package verify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/imgcheck/imgcheck/image/filecap"
	"github.com/imgcheck/imgcheck/internal/imagetest"
	"github.com/imgcheck/imgcheck/taskdef"
)

// capsEC2TaskJSON is a one-container EC2 task on X86_64.
func capsEC2TaskJSON(ref, extra string) string {
	return fmt.Sprintf(`{"family": "app", "requiresCompatibilities": ["EC2"], "networkMode": "bridge", "memory": "512",
  "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
  "containerDefinitions": [{"name": "app", "image": %q, "essential": true%s}]}`, ref, extra)
}

func capsEntry(e imagetest.Entry, c filecap.Caps) imagetest.Entry {
	e.PAX = map[string]string{filecap.PAXRecord: string(c.Marshal())}
	return e
}

func capsText(t *testing.T, text string) filecap.Caps {
	t.Helper()
	c := filecap.Caps{Revision: 2}
	names, flags, _ := strings.Cut(text, "=")
	for n := range strings.SplitSeq(names, ",") {
		num, err := filecap.ParseName(n)
		if err != nil {
			t.Fatal(err)
		}
		c.Permitted |= filecap.Of(num)
	}
	c.Effective = strings.Contains(flags, "e")
	return c
}

// TestFileCapabilityRules: file capabilities of what the container
// executes, against the capabilities the task definition leaves it.
func TestFileCapabilityRules(t *testing.T) {
	reg := imagetest.Registry(t)
	amd := imagetest.GoBinary(t, "linux", "amd64", false)
	push := func(name, user string, caps *filecap.Caps, more ...imagetest.Entry) string {
		bin := imagetest.File("ko-app/app", 0o755, amd)
		if caps != nil {
			bin = capsEntry(bin, *caps)
		}
		entries := append([]imagetest.Entry{imagetest.Dir("ko-app"), bin}, more...)
		return reg.PushImage(t, name+":1", imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
			Entrypoint: []string{"/ko-app/app"}, User: user, Layers: []v1.Layer{imagetest.Layer(t, entries...)}}))
	}
	bindEP, bindP, adminEP := capsText(t, "net_bind_service=ep"), capsText(t, "net_bind_service=p"), capsText(t, "sys_admin=ep")
	rootid := bindEP
	rootid.Revision, rootid.RootID = 3, 100000
	imgBindEP := push("bindep", "65532", &bindEP)
	imgBindP := push("bindp", "65532", &bindP)
	imgBindPRoot := push("bindproot", "", &bindP)
	imgAdmin := push("admin", "65532", &adminEP)
	imgRootID := push("rootid", "65532", &rootid)
	imgPlain := push("plain", "65532", nil,
		capsEntry(imagetest.File("ko-app/probe", 0o755, amd), adminEP),
		capsEntry(imagetest.File("ko-app/interp", 0o755, amd), adminEP),
		imagetest.File("ko-app/start.sh", 0o755, []byte("#!/ko-app/interp\n")))
	script := reg.PushImage(t, "script:1", imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Entrypoint: []string{"/ko-app/start.sh"}, Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("ko-app"),
			capsEntry(imagetest.File("ko-app/interp", 0o755, amd), adminEP),
			imagetest.File("ko-app/start.sh", 0o755, []byte("#!/ko-app/interp\n")))}}))

	caps := func(add, drop string) string {
		return fmt.Sprintf(`, "linuxParameters": {"capabilities": {"add": [%s], "drop": [%s]}}`, add, drop)
	}
	tests := []struct {
		name, task string
		want       string // rule IDs, "" for none
		evidence   string // in the first finding
	}{
		{"default set keeps net_bind_service", taskJSON("X86_64", imgBindEP, ""), "", ""},
		{"drop ALL with an =ep binary", taskJSON("X86_64", imgBindEP, caps(``, `"ALL"`)), "IC219", "not in the container's capabilities: CAP_NET_BIND_SERVICE"},
		{"drop the one it needs", taskJSON("X86_64", imgBindEP, caps(``, `"net_bind_service"`)), "IC219", "CAP_NET_BIND_SERVICE"},
		{"drop ALL, add it back on EC2", capsEC2TaskJSON(imgBindEP, caps(`"NET_BIND_SERVICE"`, `"ALL"`)), "", ""},
		{"drop ALL, add it back on Fargate", taskJSON("X86_64", imgBindEP, caps(`"NET_BIND_SERVICE"`, `"ALL"`)), "IC322", "only support adding the SYS_PTRACE"},
		{"add ALL but drop it", capsEC2TaskJSON(imgBindEP, caps(`"ALL"`, `"CAP_NET_BIND_SERVICE"`)), "IC219", "every capability but those dropped"},
		{"privileged ignores drop", capsEC2TaskJSON(imgBindEP, `, "privileged": true`+caps(``, `"ALL"`)), "", ""},
		{"sys_admin beyond the default", taskJSON("X86_64", imgAdmin, ""), "IC219", "CAP_SYS_ADMIN"},
		{"sys_admin added on EC2", capsEC2TaskJSON(imgAdmin, caps(`"SYS_ADMIN"`, ``)), "", ""},
		{"=p for a non-root user", taskJSON("X86_64", imgBindP, caps(``, `"ALL"`)), "IC220", "uid"},
		{"=p for root", taskJSON("X86_64", imgBindPRoot, caps(``, `"ALL"`)), "", ""},
		{"=p with the default set", taskJSON("X86_64", imgBindP, ""), "", ""},
		{"revision 3 for another root is ignored", taskJSON("X86_64", imgRootID, caps(``, `"ALL"`)), "", ""},
		{"health check program", taskJSON("X86_64", imgPlain, `, "healthCheck": {"command": ["CMD", "/ko-app/probe"]}`), "IC219", "/ko-app/probe"},
		{"script interpreter", taskJSON("X86_64", script, ""), "IC219", "/ko-app/interp"},
		{"Fargate add SYS_PTRACE is fine", taskJSON("X86_64", imgPlain, caps(`"SYS_PTRACE"`, ``)), "", ""},
		{"Fargate add NET_ADMIN", taskJSON("X86_64", imgPlain, caps(`"NET_ADMIN"`, ``)), "IC322", "NET_ADMIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runVerify(t, parseTask(t, tt.task), "")
			if len(r.Errors) > 0 {
				t.Fatalf("could not verify: %+v", r.Errors)
			}
			if got := findingIDs(r); got != tt.want {
				t.Fatalf("rules %q, want %q\n%+v", got, tt.want, r.Findings)
			}
			for _, f := range r.Findings {
				if f.RuleID == tt.want && !strings.Contains(f.Evidence+" "+f.Message, tt.evidence) {
					t.Errorf("finding does not mention %q: %+v", tt.evidence, f)
				}
			}
		})
	}

	t.Run("image only: the runtime's default set", func(t *testing.T) {
		r := Run(context.Background(), Input{Subjects: []Subject{{Ref: imgAdmin}}, Platforms: []v1.Platform{{OS: "linux", Architecture: "amd64"}}},
			Options{FailOn: Error})
		if got := findingIDs(r); got != "IC219" || !strings.Contains(r.Findings[0].Evidence, "no task definition") {
			t.Fatalf("rules %q: %+v %+v", got, r.Findings, r.Errors)
		}
	})
}

// TestFileCapabilitiesFailClosed: what the rules cannot read makes the run
// "could not verify".
func TestFileCapabilitiesFailClosed(t *testing.T) {
	reg := imagetest.Registry(t)
	amd := imagetest.GoBinary(t, "linux", "amd64", false)
	bad := imagetest.File("ko-app/app", 0o755, amd)
	bad.PAX = map[string]string{filecap.PAXRecord: "\x01\x00\x00\x01\x00\x04\x00\x00\x00\x00\x00\x00"}
	malformed := reg.PushImage(t, "malformed:1", imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Entrypoint: []string{"/ko-app/app"}, Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("ko-app"), bad)}}))
	good := reg.PushImage(t, "good:1", imagetest.Image(t, imagetest.ImageSpec{OS: "linux", Architecture: "amd64",
		Entrypoint: []string{"/ko-app/app"}, Layers: []v1.Layer{imagetest.Layer(t, imagetest.Dir("ko-app"),
			capsEntry(imagetest.File("ko-app/app", 0o755, amd), capsText(t, "net_bind_service=ep")))}}))
	for _, tt := range []struct{ name, task, want string }{
		{"malformed attribute", taskJSON("X86_64", malformed, ""), "the kernel refuses"},
		{"unknown capability name", capsEC2TaskJSON(good, `, "linuxParameters": {"capabilities": {"drop": ["NET_BIND_SERVIC"]}}`), "not a Linux capability"},
		{"placeholder in drop", taskJSON("X86_64", good, `, "linuxParameters": {"capabilities": {"drop": ["${DROP}"]}}`), "linuxParameters.capabilities.drop"},
		{"placeholder in add on Fargate", taskJSON("X86_64", good, `, "linuxParameters": {"capabilities": {"add": ["${ADD}"]}}`), "linuxParameters.capabilities.add"},
		{"unresolved privileged", "Parameters:\n  Priv: {Type: String}\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n" +
			"    Properties:\n      RequiresCompatibilities: [EC2]\n      Memory: 512\n      RuntimePlatform: {CpuArchitecture: X86_64}\n      ContainerDefinitions:\n" +
			"        - {Name: app, Image: " + good + ", Essential: true, Privileged: !Ref Priv}\n", "privileged"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := "td.json"
			if !strings.HasPrefix(tt.task, "{") {
				name = "t.yaml"
			}
			td, err := taskdef.Parse(name, []byte(tt.task), taskdef.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r := runVerify(t, td, "")
			if r.Verdict != VerdictCouldNotVerify || len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors), tt.want) {
				t.Fatalf("verdict %s, errors %+v, findings %+v; want could not verify mentioning %q", r.Verdict, r.Errors, r.Findings, tt.want)
			}
		})
	}
}
