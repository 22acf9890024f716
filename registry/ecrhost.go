package registry

import (
	"net"
	"strings"
)

// ECRHost is a parsed Amazon ECR private registry host name.
type ECRHost struct {
	Account   string // 12-digit AWS account ID
	Region    string // e.g. us-east-1
	FIPS      bool   // ecr-fips endpoint
	DualStack bool   // dkr-ecr.<region>.on.aws (IPv4 and IPv6)
	Suffix    string // DNS suffix of the partition, e.g. amazonaws.com.cn
}

// ecrSuffixes are the DNS suffixes of the partitions that run ECR, from the
// ECR endpoints documentation (commercial, China, EU sovereign cloud and the
// isolated regions).
var ecrSuffixes = []string{
	"amazonaws.com",
	"amazonaws.com.cn",
	"amazonaws.eu",
	"c2s.ic.gov",
	"sc2s.sgov.gov",
	"cloud.adc-e.uk",
	"csp.hci.ic.gov",
}

// ParseECRHost recognises the host names of ECR private registries:
//
//	<account>.dkr.ecr.<region>.<suffix>
//	<account>.dkr.ecr-fips.<region>.<suffix>
//	<account>.dkr-ecr.<region>.on.aws       (dual-stack)
//	<account>.dkr-ecr-fips.<region>.on.aws  (dual-stack FIPS)
//
// A port, if present, is ignored. ECR Public (public.ecr.aws) is not a
// private registry and is not recognised.
func ParseECRHost(host string) (ECRHost, bool) {
	host = strings.ToLower(strings.TrimSuffix(stripPort(host), "."))
	labels := strings.Split(host, ".")
	if len(labels) < 5 || !isAccountID(labels[0]) {
		return ECRHost{}, false
	}
	h := ECRHost{Account: labels[0]}
	switch {
	case labels[1] == "dkr" && (labels[2] == "ecr" || labels[2] == "ecr-fips"):
		h.FIPS = labels[2] == "ecr-fips"
		h.Region = labels[3]
		h.Suffix = strings.Join(labels[4:], ".")
		if !knownSuffix(h.Suffix) {
			return ECRHost{}, false
		}
	case labels[1] == "dkr-ecr" || labels[1] == "dkr-ecr-fips":
		h.FIPS = labels[1] == "dkr-ecr-fips"
		h.DualStack = true
		h.Region = labels[2]
		h.Suffix = strings.Join(labels[3:], ".")
		if h.Suffix != "on.aws" {
			return ECRHost{}, false
		}
	default:
		return ECRHost{}, false
	}
	if !isRegionName(h.Region) {
		return ECRHost{}, false
	}
	return h, true
}

func stripPort(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

func knownSuffix(s string) bool {
	for _, known := range ecrSuffixes {
		if s == known {
			return true
		}
	}
	return false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isRegionName accepts AWS region names such as us-east-1, cn-north-1,
// us-gov-west-1 and eusc-de-east-1: lower-case letters, digits and dashes,
// starting with a letter and ending with a digit.
func isRegionName(s string) bool {
	if len(s) < 4 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] < '0' || s[len(s)-1] > '9' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return strings.Contains(s, "-")
}
