package image

import (
	"crypto/sha256"
	"hash"
)

// pipedHash is a SHA-256 computed on a goroutine of its own: Write copies
// the bytes into chunks that a worker hashes while the caller goes on
// decompressing and walking the tar. A layer read to its end is hashed
// twice (the blob digest and the diff_id), and the two digests were 70% of
// a scan's CPU on one core (BenchmarkScanUnderUpperLayer); with a worker
// each, they run beside the decompressor. A stream shorter than one chunk
// (a prefix read) never starts the worker. Close stops the worker of a
// stream given up before Sum.
type pipedHash struct {
	h    hash.Hash
	cur  []byte      // the chunk being filled
	made int         // chunks allocated, at most pipedChunks
	free chan []byte // chunks the worker is done with
	work chan []byte // chunks to hash, in order; nil: no worker
	done chan struct{}
	drop chan struct{} // closed by Close: the worker stops hashing
}

const (
	pipedChunkBytes = 256 << 10
	pipedChunks     = 4 // bounds what a stream holds in flight: 1 MiB
)

func newPipedHash() *pipedHash {
	return &pipedHash{h: sha256.New(), free: make(chan []byte, pipedChunks)}
}

// Write never fails; it blocks while every chunk is in flight.
func (p *pipedHash) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		if p.cur == nil {
			p.cur = p.chunk()
		}
		k := copy(p.cur[len(p.cur):cap(p.cur)], b)
		p.cur, b = p.cur[:len(p.cur)+k], b[k:]
		if len(p.cur) == cap(p.cur) {
			p.send()
		}
	}
	return n, nil
}

func (p *pipedHash) chunk() []byte {
	select {
	case c := <-p.free:
		return c[:0]
	default:
	}
	if p.made < pipedChunks {
		p.made++
		return make([]byte, 0, pipedChunkBytes)
	}
	return (<-p.free)[:0]
}

func (p *pipedHash) send() {
	if p.work == nil {
		p.work, p.done, p.drop = make(chan []byte, pipedChunks), make(chan struct{}), make(chan struct{})
		go hashChunks(p.h, p.work, p.free, p.done, p.drop)
	}
	p.work <- p.cur
	p.cur = nil
}

// hashChunks is the worker: it owns h until done is closed.
func hashChunks(h hash.Hash, work <-chan []byte, free chan<- []byte, done chan<- struct{}, drop <-chan struct{}) {
	defer close(done)
	for c := range work {
		select {
		case <-drop:
		default:
			h.Write(c)
		}
		free <- c
	}
}

// Sum appends the digest of everything written to b. After Sum, the hash
// takes no more writes.
func (p *pipedHash) Sum(b []byte) []byte {
	p.stop()
	if len(p.cur) > 0 {
		p.h.Write(p.cur)
		p.cur = p.cur[:0]
	}
	return p.h.Sum(b)
}

// Close stops the worker without hashing what it has not hashed yet.
func (p *pipedHash) Close() {
	if p.drop != nil {
		close(p.drop)
		p.drop = nil
	}
	p.stop()
}

// stop waits for the worker to end.
func (p *pipedHash) stop() {
	if p.work == nil {
		return
	}
	close(p.work)
	<-p.done
	p.work = nil
}
