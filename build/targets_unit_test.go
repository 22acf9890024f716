package build

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
)

var update = flag.Bool("update", false, "rewrite golden files")

type recordingCreator struct{ repos []string }

func (r *recordingCreator) EnsureRepository(_ context.Context, repo name.Repository) error {
	r.repos = append(r.repos, repo.String())
	return nil
}

func TestTargetsPublishers(t *testing.T) {
	pkg := Package{Name: "api", ImportPath: "example.com/svc/cmd/api"}
	tests := []struct {
		name      string
		targets   Targets
		want      []string // %T plus repository for registry publishers
		wantErr   string
		wantExtra string // tag added by a REPO:tag target
	}{
		{name: "nothing: layout ./out", want: []string{"layout out"}},
		{name: "KO_DOCKER_REPO: repo/name", targets: Targets{KODockerRepo: "reg.example/team"}, want: []string{"registry reg.example/team/api"}},
		{name: "--push wins over KO_DOCKER_REPO", targets: Targets{KODockerRepo: "reg.example/team", Push: []string{"reg.example/app"}}, want: []string{"registry reg.example/app"}},
		{name: "--oci-layout alone ignores KO_DOCKER_REPO", targets: Targets{KODockerRepo: "reg.example/team", OCILayout: "dir"}, want: []string{"layout dir"}},
		{name: "several packages", targets: Targets{Push: []string{"reg.example/apps"}, PerPackage: true}, want: []string{"registry reg.example/apps/api"}},
		{name: "push with tag", targets: Targets{Push: []string{"reg.example/app:v2"}}, want: []string{"registry reg.example/app"}, wantExtra: "v2"},
		{name: "all targets", targets: Targets{Push: []string{"a.example/x", "b.example/y"}, OCILayout: "l", Tarball: "t.tar"},
			want: []string{"registry a.example/x", "registry b.example/y", "layout l", "tarball t.tar"}},
		{name: "--push=true adds KO_DOCKER_REPO to named targets", targets: Targets{KODockerRepo: "reg.example/team", DockerRepo: DockerRepoOn, Push: []string{"reg.example/app"}, OCILayout: "dir"},
			want: []string{"registry reg.example/app", "registry reg.example/team/api", "layout dir"}},
		{name: "--push=true without KO_DOCKER_REPO", targets: Targets{DockerRepo: DockerRepoOn}, wantErr: "KO_DOCKER_REPO is not set"},
		{name: "--push=false ignores KO_DOCKER_REPO", targets: Targets{KODockerRepo: "reg.example/team", DockerRepo: DockerRepoOff}, want: []string{"layout out"}},
		{name: "--bare: KO_DOCKER_REPO itself", targets: Targets{KODockerRepo: "reg.example/api", Naming: NamingBare}, want: []string{"registry reg.example/api"}},
		{name: "-P: import path", targets: Targets{KODockerRepo: "reg.example/team", Naming: NamingPreserve}, want: []string{"registry reg.example/team/example.com/svc/cmd/api"}},
		{name: "-B on a one-package --push", targets: Targets{Push: []string{"reg.example/apps"}, Naming: NamingBase}, want: []string{"registry reg.example/apps/api"}},
		{name: "-P on --push", targets: Targets{Push: []string{"reg.example/apps:v1"}, Naming: NamingPreserve}, want: []string{"registry reg.example/apps/example.com/svc/cmd/api"}, wantExtra: "v1"},
		{name: "--bare with several packages", targets: Targets{KODockerRepo: "reg.example/api", Naming: NamingBare, PerPackage: true}, wantErr: "overwrite"},
		{name: "kind.local", targets: Targets{KODockerRepo: "kind.local"}, wantErr: "does not do"},
		{name: "digest target", targets: Targets{Push: []string{"reg.example/app@sha256:" + strings.Repeat("0", 64)}}, wantErr: "not a digest"},
		{name: "bad repo", targets: Targets{Push: []string{"UPPER/Case"}}, wantErr: "push target"},
		{name: "create-repo without registry", targets: Targets{CreateRepo: true, Creator: &recordingCreator{}}, wantErr: "needs a registry target"},
		{name: "create-repo without creator", targets: Targets{CreateRepo: true, Push: []string{"reg.example/a"}}, wantErr: "no repository creator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pubs, err := tt.targets.Publishers()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pubs {
				if e, ok := p.(extraTagPublisher); ok {
					if e.tag != tt.wantExtra {
						t.Errorf("extra tag %q, want %q", e.tag, tt.wantExtra)
					}
					p = e.inner
				}
				switch p := p.(type) {
				case *RegistryPublisher:
					repo, err := p.Repository(pkg)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, "registry "+repo.String())
				case *LayoutPublisher:
					got = append(got, "layout "+p.Dir)
				case *TarballPublisher:
					got = append(got, "tarball "+p.File)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("publishers %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTargetsRegistryHosts(t *testing.T) {
	got := Targets{Push: []string{"reg.example:5000/a:v1", "other.example/b"}, KODockerRepo: "ko.example/team", DockerRepo: DockerRepoOn}.RegistryHosts()
	if strings.Join(got, ",") != "reg.example:5000,other.example,ko.example" {
		t.Errorf("hosts = %v", got)
	}
	if got := (Targets{KODockerRepo: "ko.example/team", OCILayout: "dir"}).RegistryHosts(); len(got) != 0 {
		t.Errorf("a layout-only build pushes nowhere, got hosts %v", got)
	}
}

func TestTagsOrDefault(t *testing.T) {
	if got, err := tagsOrDefault(nil); err != nil || len(got) != 1 || got[0] != "latest" {
		t.Errorf("default tags = %v, %v", got, err)
	}
	for _, bad := range []string{"a:b", "with space", "-lead", strings.Repeat("x", 200)} {
		if _, err := tagsOrDefault([]string{bad}); err == nil {
			t.Errorf("tag %q accepted", bad)
		}
	}
}

// fakeClock is the printer's clock in the golden test.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock               { return &fakeClock{t: time.Unix(1700000000, 0)} }
func showControls(s string) string           { return strings.ReplaceAll(s, "\r\033[K", "<CR-CLEAR>") }
func printerWith(w *strings.Builder, live, withPkg bool, c *fakeClock) *ProgressPrinter {
	p := NewProgressPrinter(w, live, withPkg)
	p.now = c.now
	return p
}

func TestProgressPrinterGolden(t *testing.T) {
	var plain, live strings.Builder
	events := []Event{
		{Package: "api", Stage: StageInfo, Line: "base static"},
		{Package: "api", Platform: "linux/arm64", Stage: StageCompileStart, Line: "example.com/api"},
		{Package: "api", Platform: "linux/arm64", Stage: StageCompileLog, Line: "# example.com/api"},
		{Package: "api", Platform: "linux/arm64", Stage: StageCompile, Duration: 3200 * time.Millisecond},
		{Package: "api", Platform: "linux/arm64", Stage: StageLayer, Bytes: 6_100_000},
		{Package: "api", Stage: StageStep, Line: "verifying api"},
		{Package: "api", Stage: StageStep, Line: "verifying api", Final: true},
		{Package: "api", Stage: StageUpload, Bytes: 1_000_000, Total: 12_300_000},
		{Package: "api", Stage: StageUpload, Bytes: 12_300_000, Total: 12_300_000, Final: true},
		{Package: "api", Stage: StagePublished, Line: "reg/api@sha256:x"},
	}
	for _, c := range []struct {
		w    *strings.Builder
		live bool
	}{{&plain, false}, {&live, true}} {
		p := printerWith(c.w, c.live, false, newFakeClock())
		for _, e := range events {
			p.Report(e)
		}
		p.Done()
	}
	withPkg := &strings.Builder{}
	p := NewProgressPrinter(withPkg, false, true)
	p.Report(events[3])

	// A cold compile of two platforms and a slow upload, with the clock
	// moved between heartbeats.
	heartbeat := func(live bool) string {
		var w strings.Builder
		c := newFakeClock()
		p := printerWith(&w, live, false, c)
		p.Report(Event{Package: "api", Platform: "linux/amd64", Stage: StageCompileStart, Line: "example.com/api"})
		p.Report(Event{Package: "api", Platform: "linux/arm64", Stage: StageCompileStart, Line: "example.com/api"})
		for _, d := range []time.Duration{time.Second, 9 * time.Second, 20 * time.Second, 15 * time.Second, 50 * time.Second} {
			c.advance(d)
			p.Heartbeat()
		}
		p.Report(Event{Package: "api", Platform: "linux/amd64", Stage: StageCompile, Duration: 95 * time.Second})
		c.advance(40 * time.Second)
		p.Heartbeat()
		p.Report(Event{Package: "api", Platform: "linux/arm64", Stage: StageCompile, Duration: 135 * time.Second})
		p.Report(Event{Package: "api", Stage: StageUpload, Bytes: 2_000_000, Total: 48_000_000})
		c.advance(31 * time.Second)
		p.Report(Event{Package: "api", Stage: StageUpload, Bytes: 20_000_000, Total: 48_000_000})
		p.Heartbeat()
		p.Report(Event{Package: "api", Stage: StageUpload, Bytes: 48_000_000, Total: 48_000_000, Final: true})
		p.Heartbeat()
		p.Done()
		return w.String()
	}
	got := "plain:\n" + plain.String() + "live:\n" + showControls(live.String()) + "with package:\n" + withPkg.String() +
		"heartbeat plain:\n" + heartbeat(false) + "heartbeat live:\n" + showControls(heartbeat(true))
	golden := filepath.Join("testdata", "progress.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("progress output differs from %s:\n%s", golden, got)
	}
}

// TestProgressPrinterHeartbeatRuns checks that Start ticks on its own and
// Done stops it.
func TestProgressPrinterHeartbeatRuns(t *testing.T) {
	var w syncBuilder
	p := NewProgressPrinter(&w, true, false)
	p.Report(Event{Platform: "linux/arm64", Stage: StageCompileStart, Line: "example.com/api"})
	p.Start(testContext(t))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(w.String(), "compiling (1s)") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	p.Done()
	if !strings.Contains(w.String(), "linux/arm64: compiling (1s)") {
		t.Fatalf("no heartbeat redraw within 10s: %q", w.String())
	}
	n := len(w.String())
	time.Sleep(1500 * time.Millisecond)
	if len(w.String()) != n {
		t.Error("the heartbeat still writes after Done")
	}
}

// syncBuilder is a strings.Builder safe for the heartbeat goroutine.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRegistryPublisherCreatesRepositoryFirst(t *testing.T) {
	host, reqs := startRegistry(t)
	creator := &recordingCreator{}
	pubs, err := Targets{
		Push: []string{host + "/team/api"}, CreateRepo: true, Creator: creator,
		NameOptions: func(string) []name.Option { return []name.Option{name.Insecure} },
	}.Publishers()
	if err != nil {
		t.Fatal(err)
	}
	b := newTestBuilder(helloModule(t), fixtures.compiler)
	b.Platforms = []string{"linux/amd64"}
	art, err := b.Build(testContext(t), ".")
	if err != nil {
		t.Fatal(err)
	}
	reqs.reset()
	if _, err := pubs[0].Publish(testContext(t), art, nil); err != nil {
		t.Fatal(err)
	}
	if len(creator.repos) != 1 || creator.repos[0] != host+"/team/api" {
		t.Errorf("creator saw %v", creator.repos)
	}
	if len(reqs.all()) == 0 {
		t.Error("nothing was pushed after creating the repository")
	}
}
