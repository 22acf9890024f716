package taskdef

import (
	"errors"
	"strings"
	"testing"
)

func TestPlanSpread(t *testing.T) {
	const strategy = `"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "base": 3, "weight": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 2}]`
	tests := []struct {
		name      string
		src       string
		count     int
		wantCount int
		wantErr   error
		wantMsg   string
	}{
		{name: "desiredCount", src: `{"serviceName": "web", "desiredCount": 12, ` + strategy + `}`, count: -1, wantCount: 12},
		{name: "count given", src: `{"serviceName": "web", "desiredCount": 12, ` + strategy + `}`, count: 4, wantCount: 4},
		{name: "no desiredCount", src: `{"serviceName": "web", ` + strategy + `}`, count: -1, wantErr: ErrNoDesiredCount},
		{name: "negative desiredCount", src: `{"serviceName": "web", "desiredCount": -2, ` + strategy + `}`, count: -1, wantMsg: "desiredCount -2 is negative"},
		{name: "no strategy", src: `{"serviceName": "web", "desiredCount": 1, "launchType": "FARGATE"}`, count: -1, wantErr: ErrNoStrategy, wantMsg: `launchType "FARGATE"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, err := ParseService("s.json", []byte(tt.src), LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := PlanSpread(svc, nil, tt.count)
			if tt.wantErr != nil || tt.wantMsg != "" {
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), "s.json: ") {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if plan.Count != tt.wantCount || !plan.Valid || plan.File != "s.json" || plan.Service != "web" || len(plan.Allocations) != 2 || plan.Problems == nil {
				t.Errorf("plan %+v", plan)
			}
		})
	}
}

// A desiredCount that is an unresolved expression is not "no desiredCount":
// the error says where it is and why it is not known.
func TestPlanSpreadUnresolvedDesiredCount(t *testing.T) {
	src := `Parameters:
  N: {Type: Number}
Resources:
  Service:
    Type: AWS::ECS::Service
    Properties:
      DesiredCount: !Ref N
      CapacityProviderStrategy: [{CapacityProvider: FARGATE, Weight: 1}]
`
	svc, err := ParseService("stack.yaml", []byte(src), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = PlanSpread(svc, nil, -1)
	if err == nil || !errors.Is(err, ErrNoDesiredCount) || !strings.HasPrefix(err.Error(), "stack.yaml:7:") || !strings.Contains(err.Error(), "parameter N has no Default") {
		t.Fatalf("err = %v, want stack.yaml:7:... naming parameter N, wrapping ErrNoDesiredCount", err)
	}
}
