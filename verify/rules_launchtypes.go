package verify

// ruleLaunchTypes says on which launch types (Fargate, EC2, EXTERNAL) a
// rule can report, for docs/rules.md. The image rules (platform,
// entrypoint, container) apply wherever the image runs, so "all" is the
// default; the task and service rules that depend on the launch type are
// listed here.
func ruleLaunchTypes(id string) string {
	switch id {
	case "IC301", "IC302", "IC303", "IC305", "IC306", "IC314":
		return "Fargate"
	case "IC315", "IC316", "IC317", "IC318":
		return "Fargate (tasks that list FARGATE in requiresCompatibilities)"
	case "IC319":
		return "all (awslogs-group); Fargate and EXTERNAL (awslogs-region)"
	case "IC304", "IC407":
		return "all (awsvpc tasks)"
	case "IC401":
		return "Fargate, EC2 (capacity provider strategies)"
	case "IC402", "IC403":
		return "Fargate (FARGATE_SPOT)"
	case "IC405", "IC406":
		return "Fargate, EC2, EXTERNAL (the service's launch type)"
	case "IC408":
		return "Fargate"
	case "IC409":
		return "Fargate (always); EC2 (with a capacity provider strategy); EC2, EXTERNAL (with the CODE_DEPLOY or EXTERNAL deployment controller)"
	case "IC410":
		return "EC2, EXTERNAL (bridge mode)"
	case "IC411":
		return "all (target groups in the template)"
	}
	return "all"
}
