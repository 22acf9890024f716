// Package fakeaws runs local endpoints that speak the wire protocols of
// the AWS services verify --online asks, for the operations it calls, so
// that tests drive the real aws-sdk-go-v2 clients without touching AWS:
//
//   - IAM (GetRole) and Elastic Load Balancing v2 (DescribeTargetGroups):
//     the AWS Query protocol, a form-encoded POST answered in XML;
//   - Secrets Manager (DescribeSecret), SSM (DescribeParameters) and
//     CloudWatch Logs (DescribeLogGroups): JSON 1.1 with X-Amz-Target.
//
// ECR is internal/fakeecr. Each endpoint checks that the request is SigV4
// signed for its service, and records it. The operations that return a
// secret's or a parameter's value (GetSecretValue, GetParameter, ...) are
// refused and recorded as forbidden, so a test can prove none was made.
// Every endpoint listens on 127.0.0.1 only.
package fakeaws

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// The static credentials SetEnv configures.
const (
	AccessKeyID     = "AKIDFAKEAWSTEST"
	SecretAccessKey = "fake-aws-secret-for-tests"
)

// Fault is a failure an operation answers with, rendered in each
// protocol's own error shape.
type Fault int

// Faults.
const (
	AccessDenied Fault = iota + 1 // AccessDenied (Query) / AccessDeniedException (JSON)
	Throttled                     // Throttling (Query) / ThrottlingException (JSON)
)

// Role is an IAM role.
type Role struct {
	Name string
	// TrustPolicy is the trust policy JSON; GetRole returns it URL-encoded,
	// as IAM does.
	TrustPolicy string
}

// Secret is a Secrets Manager secret in the account's region.
type Secret struct {
	Name     string
	Suffix   string              // the 6 characters Secrets Manager appends to the ARN
	Value    string              // never served: no operation the fake answers returns it
	Versions map[string][]string // version ID -> staging labels
	Deleted  bool
	Region   string // "" for the account's region
}

// ARN is the secret's complete ARN.
func (s Secret) ARN(region, account string) string {
	if s.Region != "" {
		region = s.Region
	}
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", region, account, s.Name, s.Suffix)
}

// Parameter is an SSM parameter.
type Parameter struct {
	Name   string
	Type   string // String, StringList or SecureString
	Value  string // never served
	Region string // "" for the account's region
	// Shared marks a parameter another account shares with this one: only
	// DescribeParameters with Shared lists it.
	Shared bool
}

// TargetGroup is an ELBv2 target group.
type TargetGroup struct {
	ARN             string
	Name            string
	Protocol        string
	Port            int
	TargetType      string
	HealthCheckPort string
	LoadBalancers   []string
}

// Call is one request an endpoint served.
type Call struct {
	Service   string // iam, elasticloadbalancing, secretsmanager, ssm, logs
	Operation string
	Region    string // of the SigV4 credential scope
	Body      string
}

// Account is a fake AWS account with its endpoints.
type Account struct {
	ID     string
	Region string
	// URLs of the endpoints, by signing name.
	URLs map[string]string

	mu           sync.Mutex
	roles        map[string]Role
	secrets      []Secret
	parameters   []Parameter
	logGroups    map[string]bool // region/name
	targetGroups map[string]TargetGroup
	faults       map[string]Fault // operation -> fault
	calls        []Call
	forbidden    []Call
	// EmptyPages makes DescribeParameters and DescribeLogGroups answer with
	// this many empty pages (with a NextToken) before the real answer, as
	// the real services may.
	emptyPages int
}

// Start runs the endpoints until the test ends.
func Start(t testing.TB, region, account string) *Account {
	t.Helper()
	a := &Account{ID: account, Region: region, URLs: map[string]string{},
		roles: map[string]Role{}, logGroups: map[string]bool{}, targetGroups: map[string]TargetGroup{}, faults: map[string]Fault{}}
	for service, handler := range map[string]http.HandlerFunc{
		"iam":                  a.serveQuery("iam", a.iamOperation),
		"elasticloadbalancing": a.serveQuery("elasticloadbalancing", a.elbOperation),
		"secretsmanager":       a.serveJSON("secretsmanager", "secretsmanager.", a.secretsOperation),
		"ssm":                  a.serveJSON("ssm", "AmazonSSM.", a.ssmOperation),
		"logs":                 a.serveJSON("logs", "Logs_20140328.", a.logsOperation),
	} {
		s, err := ServeLocal(handler)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		a.URLs[service] = s.URL
	}
	return a
}

// SetEnv points the AWS SDK's default chain at the endpoints for the rest
// of the test, with static credentials and no shared configuration, profile
// or IMDS, so that no AWS configuration of the machine leaks in. (ECR is
// internal/fakeecr's SetEnv.)
func (a *Account) SetEnv(t testing.TB) {
	t.Helper()
	for variable, service := range map[string]string{
		"AWS_ENDPOINT_URL_IAM":                       "iam",
		"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "elasticloadbalancing",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER":           "secretsmanager",
		"AWS_ENDPOINT_URL_SSM":                       "ssm",
		"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS":           "logs",
	} {
		t.Setenv(variable, a.URLs[service])
	}
	SetStaticEnv(t, a.Region, AccessKeyID, SecretAccessKey)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
}

// AddRole, AddSecret, AddParameter, AddLogGroup and AddTargetGroup create
// resources.
func (a *Account) AddRole(r Role) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.roles[r.Name] = r
}

func (a *Account) AddSecret(s Secret) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.secrets = append(a.secrets, s)
}

func (a *Account) AddParameter(p Parameter) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.parameters = append(a.parameters, p)
}

func (a *Account) AddLogGroup(region, name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.logGroups[region+"/"+name] = true
}

func (a *Account) AddTargetGroup(tg TargetGroup) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.targetGroups[tg.ARN] = tg
}

// Fail makes every later call of an operation (e.g. "GetRole") fail with f.
func (a *Account) Fail(operation string, f Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults[operation] = f
}

// SetEmptyPages makes the listing operations answer n empty pages first.
func (a *Account) SetEmptyPages(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.emptyPages = n
}

// Calls returns the requests served so far.
func (a *Account) Calls() []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Call(nil), a.calls...)
}

// Forbidden returns the requests for values (GetSecretValue, GetParameter,
// ...), which the endpoints refuse.
func (a *Account) Forbidden() []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Call(nil), a.forbidden...)
}

// valueOperations return secret or parameter values: never to be called.
var valueOperations = map[string]bool{
	"GetSecretValue": true, "BatchGetSecretValue": true, "ListSecretVersionIds": false,
	"GetParameter": true, "GetParameters": true, "GetParametersByPath": true, "GetParameterHistory": true,
}

// record notes a call and returns the fault to answer with, if any, and
// whether the operation is a forbidden value read.
func (a *Account) record(c Call) (Fault, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, c)
	if valueOperations[c.Operation] {
		a.forbidden = append(a.forbidden, c)
		return 0, true
	}
	return a.faults[c.Operation], false
}

// signingRegion checks the SigV4 Authorization header's credential scope
// for service and returns its region ("" when the request is not signed
// for it). The signature itself is not verified: the point is that the
// SDK signed the request with the configured credentials.
func signingRegion(auth, service string) string {
	cred, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 Credential="+AccessKeyID+"/")
	if !ok || !strings.Contains(auth, "SignedHeaders=") || !strings.Contains(auth, "Signature=") {
		return ""
	}
	scope, _, _ := strings.Cut(cred, ",")
	f := strings.Split(scope, "/") // date/region/service/aws4_request
	if len(f) != 4 || f[2] != service || f[3] != "aws4_request" {
		return ""
	}
	return f[1]
}

func (a *Account) requestID() string {
	return fmt.Sprintf("fake-%d", time.Now().UnixNano())
}
