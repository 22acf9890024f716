package online

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Cached returns clients that ask AWS once per distinct lookup, whatever
// the answer, and share it between concurrent callers: a fleet of task
// definitions sharing an execution role looks it up once. Use one per run.
func Cached(c Clients) Clients {
	out := Clients{}
	if c.IAM != nil {
		out.IAM = &cachedIAM{next: c.IAM}
	}
	if c.SecretsManager != nil {
		out.SecretsManager = &cachedSecrets{next: c.SecretsManager}
	}
	if c.SSM != nil {
		out.SSM = &cachedSSM{next: c.SSM}
	}
	if c.Logs != nil {
		out.Logs = &cachedLogs{next: c.Logs}
	}
	if c.ELB != nil {
		out.ELB = &cachedELB{next: c.ELB}
	}
	if c.ECR != nil {
		out.ECR = &cachedECR{next: c.ECR}
	}
	return out
}

// memo remembers the answer of each lookup by key.
type memo[T any] struct {
	mu      sync.Mutex
	answers map[string]*answer[T]
}

type answer[T any] struct {
	once  sync.Once
	value T
	err   error
}

func (m *memo[T]) get(key string, lookup func() (T, error)) (T, error) {
	m.mu.Lock()
	if m.answers == nil {
		m.answers = map[string]*answer[T]{}
	}
	a, ok := m.answers[key]
	if !ok {
		a = &answer[T]{}
		m.answers[key] = a
	}
	m.mu.Unlock()
	a.once.Do(func() { a.value, a.err = lookup() })
	return a.value, a.err
}

// regionKey keys a lookup of a resource in a region ("" the configured
// one): the same name in two regions is two resources.
func regionKey(region, id string) string { return region + "\x00" + id }

type cachedIAM struct {
	next IAM
	memo memo[Role]
}

func (c *cachedIAM) GetRole(ctx context.Context, name string) (Role, error) {
	return c.memo.get(name, func() (Role, error) { return c.next.GetRole(ctx, name) })
}

type cachedSecrets struct {
	next SecretsManager
	memo memo[Secret]
}

func (c *cachedSecrets) DescribeSecret(ctx context.Context, region, id string) (Secret, error) {
	return c.memo.get(regionKey(region, id), func() (Secret, error) { return c.next.DescribeSecret(ctx, region, id) })
}

type cachedSSM struct {
	next SSM
	memo memo[Parameter]
}

func (c *cachedSSM) FindParameter(ctx context.Context, region string, names []string, shared bool) (Parameter, error) {
	key := fmt.Sprintf("%s\x00%t\x00%s", region, shared, strings.Join(names, "\x00"))
	return c.memo.get(key, func() (Parameter, error) { return c.next.FindParameter(ctx, region, names, shared) })
}

type cachedLogs struct {
	next Logs
	memo memo[struct{}]
}

func (c *cachedLogs) LogGroup(ctx context.Context, region, name string) error {
	_, err := c.memo.get(regionKey(region, name), func() (struct{}, error) { return struct{}{}, c.next.LogGroup(ctx, region, name) })
	return err
}

type cachedELB struct {
	next ELB
	memo memo[TargetGroup]
}

func (c *cachedELB) DescribeTargetGroup(ctx context.Context, region, arn string) (TargetGroup, error) {
	return c.memo.get(regionKey(region, arn), func() (TargetGroup, error) { return c.next.DescribeTargetGroup(ctx, region, arn) })
}

type cachedECR struct {
	next ECR
	memo memo[ImageDetail]
}

func (c *cachedECR) DescribeImage(ctx context.Context, img ECRImage) (ImageDetail, error) {
	return c.memo.get(regionKey(img.Region, img.String()), func() (ImageDetail, error) { return c.next.DescribeImage(ctx, img) })
}
