// Package online describes the AWS lookups that check, against the account
// a task will run in, that what its task definition names exists: the
// execution and task roles (and that they trust ecs-tasks.amazonaws.com),
// the Secrets Manager secrets and SSM parameters of its secrets, the
// CloudWatch Logs group of awslogs, the service's target groups, and its
// ECR images (with their scan findings summary).
//
// The package holds the vocabulary and nothing that talks to AWS: Clients
// is a set of small interfaces, one per service, whose implementation over
// aws-sdk-go-v2 is package online/awsonline, injected by the command. The
// rules that turn answers into findings are in package verify (IC5xx).
//
// Every lookup reads metadata only: no call returns a secret's or a
// parameter's value. A lookup returns an error wrapping ErrNotFound when
// AWS says the resource does not exist; any other error (access denied,
// which wraps ErrAccessDenied, throttling, network) means the lookup could
// not tell, and a check must then fail closed.
package online
