package main

// Container logs of the kubelet stand-in: the main process's output, kept in memory line by
// line (as the CRI log format keeps it), served under the kubelet's /containerLogs path with
// the PodLogOptions the kubelet honours: follow (until the container exits or the client goes
// away), previous, timestamps, tailLines, limitBytes, sinceSeconds / sinceTime.

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/core/install" // v1.PodLogOptions from a query, as the kubelet decodes it
)

type logLine struct {
	at     time.Time
	stream string
	data   []byte // one line, with its "\n" unless it is the last, unterminated one
}

type containerLog struct {
	mu      sync.Mutex
	lines   []logLine
	partial map[string][]byte
	closed  bool
	changed chan struct{} // closed and replaced on every change
}

func newContainerLog() *containerLog {
	return &containerLog{partial: map[string][]byte{}, changed: make(chan struct{})}
}

func (l *containerLog) notify() {
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *containerLog) write(stream string, data []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	pending := append(l.partial[stream], data...)
	for {
		i := bytes.IndexByte(pending, '\n')
		if i < 0 {
			break
		}
		line := append([]byte(nil), pending[:i+1]...)
		l.lines = append(l.lines, logLine{at: now, stream: stream, data: line})
		pending = pending[i+1:]
	}
	l.partial[stream] = append([]byte(nil), pending...)
	l.notify()
}

// close flushes unterminated lines; a follower stops once it has read everything.
func (l *containerLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for stream, rest := range l.partial {
		if len(rest) > 0 {
			l.lines = append(l.lines, logLine{at: time.Now(), stream: stream, data: rest})
		}
	}
	l.partial = map[string][]byte{}
	l.closed = true
	l.notify()
}

// from returns the lines from index i on, whether the log is closed, and a channel closed
// on the next change.
func (l *containerLog) from(i int) ([]logLine, bool, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i > len(l.lines) {
		i = len(l.lines)
	}
	return l.lines[i:], l.closed, l.changed
}

// serveContainerLogs is the kubelet's getContainerLogs.
func (k *kubeletAPI) serveContainerLogs(w http.ResponseWriter, r *http.Request) {
	ns, podName, containerName := r.PathValue("podNamespace"), r.PathValue("podID"), r.PathValue("containerName")
	query := r.URL.Query()
	if tail := query.Get("tail"); tail != "" { // the kubelet's backwards compatible "tail"
		query["tailLines"] = []string{tail}
		if tail == "all" {
			delete(query, "tailLines")
		}
	}
	opts := &v1.PodLogOptions{}
	if err := legacyscheme.ParameterCodec.DecodeParameters(query, v1.SchemeGroupVersion, opts); err != nil {
		http.Error(w, `{"message": "Unable to decode query."}`, http.StatusBadRequest)
		return
	}
	pod, ok := k.pods.pod(ns, podName)
	if !ok {
		http.Error(w, fmt.Sprintf("pod %q does not exist", podName), http.StatusNotFound)
		return
	}
	found := false
	for _, c := range pod.Spec.Containers {
		found = found || c.Name == containerName
	}
	if !found {
		http.Error(w, fmt.Sprintf("container %q not found in pod %q", containerName, podName), http.StatusNotFound)
		return
	}
	if opts.Stream != nil && *opts.Stream != v1.LogStreamAll && *opts.Stream != v1.LogStreamStdout && *opts.Stream != v1.LogStreamStderr {
		http.Error(w, fmt.Sprintf("invalid stream type %q", *opts.Stream), http.StatusBadRequest)
		return
	}
	var c *container
	if opts.Previous {
		c, ok = k.runtime.previousInstance(pod.UID, containerName)
		if !ok {
			http.Error(w, fmt.Sprintf("previous terminated container %q in pod %q not found", containerName, podName), http.StatusBadRequest)
			return
		}
	} else {
		c, ok = k.runtime.current(pod.UID, containerName)
		if !ok {
			http.Error(w, fmt.Sprintf("container %q in pod %q is waiting to start", containerName, podName), http.StatusBadRequest)
			return
		}
	}
	writeLog(w, r, c.log, opts)
}

func writeLog(w http.ResponseWriter, r *http.Request, log *containerLog, opts *v1.PodLogOptions) {
	flusher, _ := w.(http.Flusher)
	var since time.Time
	if opts.SinceTime != nil {
		since = opts.SinceTime.Time
	} else if opts.SinceSeconds != nil {
		since = time.Now().Add(-time.Duration(*opts.SinceSeconds) * time.Second)
	}
	wanted := func(l logLine) bool {
		if !since.IsZero() && l.at.Before(since) {
			return false
		}
		return opts.Stream == nil || *opts.Stream == v1.LogStreamAll || string(*opts.Stream) == l.stream
	}
	limit := int64(-1)
	if opts.LimitBytes != nil {
		limit = *opts.LimitBytes
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)

	lines, closed, changed := log.from(0)
	next := len(lines)
	if opts.TailLines != nil {
		var kept []logLine
		for _, l := range lines {
			if wanted(l) {
				kept = append(kept, l)
			}
		}
		if n := int(*opts.TailLines); n < len(kept) {
			kept = kept[len(kept)-n:]
		}
		lines = kept
	}
	var written int64
	for {
		for _, l := range lines {
			if !wanted(l) {
				continue
			}
			out := l.data
			if opts.Timestamps {
				out = append([]byte(l.at.UTC().Format(time.RFC3339Nano)+" "), out...)
			}
			if limit >= 0 && written+int64(len(out)) > limit {
				out = out[:limit-written]
			}
			n, err := w.Write(out)
			written += int64(n)
			if err != nil || (limit >= 0 && written >= limit) {
				return
			}
		}
		if flusher != nil {
			flusher.Flush()
		}
		if !opts.Follow || closed {
			return
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
		lines, closed, changed = log.from(next)
		next += len(lines)
	}
}
