package verify

import (
	"errors"
	"strings"
	"testing"
)

func TestPairImages(t *testing.T) {
	two := parseTask(t, `{"family": "f", "containerDefinitions": [
  {"name": "web", "image": "reg.example/web:1"}, {"name": "sidecar", "image": "reg.example/side:1"}]}`)
	one := parseTask(t, `{"family": "f", "containerDefinitions": [{"name": "web", "image": "reg.example/web:1"}]}`)
	tests := []struct {
		name       string
		images     []string
		containers []string
		multi      bool
		want       string // container=ref pairs, or "error: ..." substring
	}{
		{"every container's own image", nil, nil, true, "web=reg.example/web:1 sidecar=reg.example/side:1"},
		{"one image for the only container", []string{"new:2"}, nil, false, "web=new:2"},
		{"one image needs --container with two containers", []string{"new:2"}, nil, true, "error: say which one"},
		{"paired in order", []string{"a:1", "b:1"}, []string{"sidecar", "web"}, true, "sidecar=a:1 web=b:1"},
		{"counts must match", []string{"a:1"}, []string{"sidecar", "web"}, true, "error: 1 images and 2 container names"},
		{"unknown container", []string{"a:1"}, []string{"db"}, true, "error: no such container (it has web, sidecar)"},
		{"twice", []string{"a:1", "b:1"}, []string{"web", "web"}, true, "error: given twice"},
		{"containers without images", nil, []string{"sidecar"}, true, "sidecar=reg.example/side:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := one
			if tt.multi {
				td = two
			}
			subjects, err := PairImages(td, tt.images, tt.containers)
			if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
				if !errors.Is(err, ErrPairing) || !strings.Contains(err.Error(), want) {
					t.Fatalf("err %v, want ErrPairing containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range subjects {
				got = append(got, s.Container+"="+s.Ref)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %v, want %s", got, tt.want)
			}
		})
	}
	if _, err := PairImages(nil, nil, nil); !errors.Is(err, ErrNothingToVerify) {
		t.Errorf("nothing to verify: err %v, want ErrNothingToVerify", err)
	}
	if _, err := PairImages(nil, []string{"a:1"}, []string{"web"}); !errors.Is(err, ErrContainerWithoutTaskDef) {
		t.Errorf("container names without a task definition: err %v, want ErrContainerWithoutTaskDef", err)
	}
}
