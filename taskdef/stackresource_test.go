package taskdef

import "testing"

// A value that reads a resource of the template (Ref, Fn::GetAtt in both
// forms) names it in StackResource; other unknown values do not.
func TestStackResource(t *testing.T) {
	const template = `Parameters: {P: {Type: String}}
Resources:
  Exec: {Type: AWS::IAM::Role}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ExecutionRoleArn: !GetAtt Exec.Arn
      TaskRoleArn: {"Fn::GetAtt": [Exec, Arn]}
      ContainerDefinitions:
        - Name: app
          Image: !Ref P
          User: !GetAtt Nope.Arn
          WorkingDirectory: !Ref Exec
`
	td, err := Parse("t.yaml", []byte(template), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ct := td.Containers[0]
	for name, tt := range map[string]struct {
		s    String
		want string
	}{
		"!GetAtt Exec.Arn":   {td.ExecutionRoleArn, "Exec"},
		"Fn::GetAtt [Exec]":  {td.TaskRoleArn, "Exec"},
		"!Ref Exec":          {ct.WorkingDirectory, "Exec"},
		"!Ref a parameter":   {ct.Image, ""},
		"!GetAtt of nothing": {ct.User, ""},
	} {
		if tt.s.Known() || tt.s.StackResource != tt.want {
			t.Errorf("%s: known %v, StackResource %q; want unknown and %q", name, tt.s.Known(), tt.s.StackResource, tt.want)
		}
	}
}
