package fakeaws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The AWS JSON 1.1 protocol: a POST of a JSON body naming the operation
// in X-Amz-Target (Prefix.Operation), answered in JSON, errors with
// __type.

const jsonContentType = "application/x-amz-json-1.1"

type jsonError struct {
	Status  int
	Type    string
	Message string
}

func (a *Account) serveJSON(service, targetPrefix string, operation func(op, region string, body map[string]any) (any, *jsonError)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		region := signingRegion(r.Header.Get("Authorization"), service)
		op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
		switch {
		case r.Method != http.MethodPost || !ok:
			writeJSONError(w, &jsonError{400, "UnknownOperationException", "unknown target " + r.Header.Get("X-Amz-Target")})
			return
		case !strings.HasPrefix(r.Header.Get("Content-Type"), jsonContentType):
			writeJSONError(w, &jsonError{400, "SerializationException", "content type must be " + jsonContentType})
			return
		case region == "":
			writeJSONError(w, &jsonError{400, "IncompleteSignatureException", "the request is not SigV4 signed for " + service})
			return
		}
		var body map[string]any
		raw := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		if err := raw.Decode(&body); err != nil {
			writeJSONError(w, &jsonError{400, "SerializationException", err.Error()})
			return
		}
		text, _ := json.Marshal(body)
		fault, forbidden := a.record(Call{Service: service, Operation: op, Region: region, Body: string(text)})
		switch {
		case forbidden:
			writeJSONError(w, &jsonError{400, "AccessDeniedException", op + " is refused by fakeaws: it returns a value"})
			return
		case fault == AccessDenied:
			writeJSONError(w, &jsonError{400, "AccessDeniedException", "User is not authorized to perform: " + service + ":" + op})
			return
		case fault == Throttled:
			writeJSONError(w, &jsonError{400, "ThrottlingException", "Rate exceeded"})
			return
		}
		out, jerr := operation(op, region, body)
		if jerr != nil {
			writeJSONError(w, jerr)
			return
		}
		w.Header().Set("Content-Type", jsonContentType)
		_ = json.NewEncoder(w).Encode(out)
	}
}

func writeJSONError(w http.ResponseWriter, e *jsonError) {
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
}

func unsupported(op string) *jsonError {
	return &jsonError{400, "UnknownOperationException", "operation " + op + " is not served by fakeaws"}
}

// secretsOperation answers DescribeSecret by complete ARN, partial ARN
// (without the suffix) or name, in the request's region.
func (a *Account) secretsOperation(op, region string, body map[string]any) (any, *jsonError) {
	if op != "DescribeSecret" {
		return nil, unsupported(op)
	}
	id, _ := body["SecretId"].(string)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.secrets {
		arn := s.ARN(a.Region, a.ID)
		inRegion := s.Region == region || s.Region == "" && region == a.Region
		if !inRegion || id != arn && id != strings.TrimSuffix(arn, "-"+s.Suffix) && id != s.Name {
			continue
		}
		out := map[string]any{"ARN": arn, "Name": s.Name, "VersionIdsToStages": s.Versions,
			"CreatedDate": float64(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).Unix())}
		if s.Deleted {
			out["DeletedDate"] = float64(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC).Unix())
		}
		return out, nil
	}
	return nil, &jsonError{400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."}
}

// pageToken pages the listing operations: the first emptyPages answers are
// empty with a token, as the real services may answer.
func (a *Account) pageToken(body map[string]any, key string) (empty bool, next string) {
	token, _ := body[key].(string)
	n, _ := strconv.Atoi(strings.TrimPrefix(token, "page-"))
	if n < a.emptyPages {
		return true, fmt.Sprintf("page-%d", n+1)
	}
	return false, ""
}

// ssmOperation answers DescribeParameters filtered by Name Equals.
func (a *Account) ssmOperation(op, region string, body map[string]any) (any, *jsonError) {
	if op != "DescribeParameters" {
		return nil, unsupported(op)
	}
	var names []string
	filters, _ := body["ParameterFilters"].([]any)
	for _, f := range filters {
		m, _ := f.(map[string]any)
		if m["Key"] != "Name" || m["Option"] != "Equals" {
			return nil, &jsonError{400, "InvalidFilterKey", "fakeaws filters by Name Equals only"}
		}
		values, _ := m["Values"].([]any)
		for _, v := range values {
			names = append(names, fmt.Sprint(v))
		}
	}
	shared, _ := body["Shared"].(bool)
	a.mu.Lock()
	defer a.mu.Unlock()
	if empty, next := a.pageToken(body, "NextToken"); empty {
		return map[string]any{"Parameters": []any{}, "NextToken": next}, nil
	}
	params := []map[string]any{}
	for _, p := range a.parameters {
		inRegion := p.Region == region || p.Region == "" && region == a.Region
		if inRegion && p.Shared == shared && slices.Contains(names, p.Name) {
			account := a.ID
			if p.Shared {
				account = "999999999999"
			}
			params = append(params, map[string]any{"Name": p.Name, "Type": p.Type, "Version": 1,
				"ARN": fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", region, account, strings.TrimPrefix(p.Name, "/"))})
		}
	}
	return map[string]any{"Parameters": params}, nil
}

// logsOperation answers DescribeLogGroups by name prefix, in name order.
func (a *Account) logsOperation(op, region string, body map[string]any) (any, *jsonError) {
	if op != "DescribeLogGroups" {
		return nil, unsupported(op)
	}
	prefix, _ := body["logGroupNamePrefix"].(string)
	a.mu.Lock()
	defer a.mu.Unlock()
	if empty, next := a.pageToken(body, "nextToken"); empty {
		return map[string]any{"logGroups": []any{}, "nextToken": next}, nil
	}
	var names []string
	for key := range a.logGroups {
		if r, name, _ := strings.Cut(key, "/"); r == region && strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	groups := []map[string]any{}
	for _, name := range names {
		groups = append(groups, map[string]any{"logGroupName": name, "creationTime": 1704164645000,
			"arn": fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", region, a.ID, name)})
	}
	return map[string]any{"logGroups": groups}, nil
}
