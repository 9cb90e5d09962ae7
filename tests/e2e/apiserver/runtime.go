package main

// The kubelet stand-in's "container runtime": every container of a pod bound to the node is a
// local process (its `command` + `args`, or `sleep infinity` without a command: no image is
// pulled).  Its filesystem is the host's; its working directory is `workingDir` if set, else a
// fresh per-pod folder; its environment is the host's PATH/HOME plus the container's literal
// `env` values; the "pod network" is the host's loopback (podIP 127.0.0.1).
//
// It implements k8s.io/cri-streaming's Runtime, so exec, attach and port-forward are served by
// the CRI streaming server exactly as containerd/CRI-O serve them:
//   - Exec runs the command as a local subprocess in the container's folder; with tty, on a
//     pseudo-terminal whose size follows the client's resize events.  A non-zero exit is
//     reported as the kubelet does (a NonZeroExitCode status with the code; a process killed
//     by a signal exits 128+signal, as runc reports it).
//   - Attach joins the container's main process: its stdout/stderr (or terminal) and, when the
//     container has `stdin: true`, its stdin (closed after the first attach closes it when
//     `stdinOnce: true`).
//   - PortForward dials 127.0.0.1:<port>.
// The main process's output is also the container log (pods.go serves /containerLogs).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/cri-streaming/pkg/streaming"
	remotecommandserver "k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// ioDrainTimeout bounds how long an exec waits for its output after the process exited (a
// background child may keep the pipe open).
const ioDrainTimeout = 10 * time.Second

// firstResizeWait is how long an exec with a tty waits for the client's first terminal size
// before starting the process.
const firstResizeWait = 500 * time.Millisecond

// processRuntime runs the containers of the node's pods as local processes.
type processRuntime struct {
	root string

	mu         sync.Mutex
	sandboxes  map[types.UID]*sandbox
	containers map[string]*container // by container ID
	seq        int
}

// sandbox is one pod's containers.
type sandbox struct {
	uid        types.UID
	namespace  string
	name       string
	dir        string
	containers map[string]*container // current instance, by container name
	previous   map[string]*container // the instance before the last restart
}

// container is one run of a container's main process.
type container struct {
	id           string
	name         string
	spec         v1.Container
	dir          string
	env          []string
	restartCount int32
	log          *containerLog

	cmd     *exec.Cmd
	stdin   io.WriteCloser // nil unless spec.Stdin
	console *os.File       // the pty master with spec.TTY
	started time.Time
	done    chan struct{} // closed when the main process has exited and its output is drained

	mu        sync.Mutex
	attached  map[*attachment]struct{}
	stdinShut bool
	exitCode  int32
	finished  time.Time
	reason    string
	message   string
}

type attachment struct {
	out, err io.Writer
	failed   chan struct{}
	once     sync.Once
}

func newProcessRuntime(root string) *processRuntime {
	return &processRuntime{root: root, sandboxes: map[types.UID]*sandbox{}, containers: map[string]*container{}}
}

func notFound(format string, args ...any) error {
	return grpcstatus.Errorf(codes.NotFound, format, args...)
}

// ensureSandbox returns the pod's sandbox, creating its folder the first time.
func (r *processRuntime) ensureSandbox(pod *v1.Pod) (*sandbox, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sb, ok := r.sandboxes[pod.UID]; ok {
		return sb, nil
	}
	dir := filepath.Join(r.root, pod.Namespace+"_"+pod.Name+"_"+string(pod.UID))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	sb := &sandbox{uid: pod.UID, namespace: pod.Namespace, name: pod.Name, dir: dir,
		containers: map[string]*container{}, previous: map[string]*container{}}
	r.sandboxes[pod.UID] = sb
	return sb, nil
}

func (r *processRuntime) sandbox(uid types.UID) (*sandbox, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.sandboxes[uid]
	return sb, ok
}

// current returns the pod's current instance of a container.
func (r *processRuntime) current(uid types.UID, name string) (*container, bool) {
	return r.instance(uid, name, false)
}

// previousInstance returns the instance of a container before its last restart.
func (r *processRuntime) previousInstance(uid types.UID, name string) (*container, bool) {
	return r.instance(uid, name, true)
}

func (r *processRuntime) instance(uid types.UID, name string, previous bool) (*container, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.sandboxes[uid]
	if !ok {
		return nil, false
	}
	instances := sb.containers
	if previous {
		instances = sb.previous
	}
	c, ok := instances[name]
	return c, ok
}

func containerEnv(pod *v1.Pod, spec *v1.Container) []string {
	env := []string{"HOSTNAME=" + pod.Name}
	for _, k := range []string{"PATH", "HOME", "LANG", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for _, e := range spec.Env {
		if e.ValueFrom == nil {
			env = append(env, e.Name+"="+e.Value)
		}
	}
	return env
}

// startContainer starts (or restarts) a container's main process; onExit is called once it
// has exited.
func (r *processRuntime) startContainer(pod *v1.Pod, spec *v1.Container, restartCount int32, onExit func()) (*container, error) {
	sb, err := r.ensureSandbox(pod)
	if err != nil {
		return nil, err
	}
	argv := append(append([]string{}, spec.Command...), spec.Args...)
	if len(argv) == 0 {
		argv = []string{"sleep", "infinity"}
	}
	dir := sb.dir
	if spec.WorkingDir != "" {
		dir = spec.WorkingDir
	}
	r.mu.Lock()
	r.seq++
	id := fmt.Sprintf("%s-%s-%d", pod.UID, spec.Name, r.seq)
	r.mu.Unlock()
	c := &container{id: id, name: spec.Name, spec: *spec.DeepCopy(), dir: dir, env: containerEnv(pod, spec),
		restartCount: restartCount, log: newContainerLog(), done: make(chan struct{}),
		attached: map[*attachment]struct{}{}}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, c.env
	var outputs []*os.File // read ends, pumped into the log and attachments
	var closeAfterStart []*os.File
	if spec.TTY {
		master, slave, err := openPTY()
		if err != nil {
			return nil, err
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		c.console = master
		if spec.Stdin {
			c.stdin = master
		}
		outputs = []*os.File{master}
		closeAfterStart = []*os.File{slave}
	} else {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		for _, target := range []*io.Writer{&cmd.Stdout, &cmd.Stderr} {
			rd, wr, err := os.Pipe()
			if err != nil {
				return nil, err
			}
			*target = wr
			outputs = append(outputs, rd)
			closeAfterStart = append(closeAfterStart, wr)
		}
		if spec.Stdin {
			rd, wr, err := os.Pipe()
			if err != nil {
				return nil, err
			}
			cmd.Stdin = rd
			c.stdin = wr
			closeAfterStart = append(closeAfterStart, rd)
		}
	}
	c.cmd = cmd
	startErr := cmd.Start()
	for _, f := range closeAfterStart {
		_ = f.Close()
	}
	c.started = time.Now()
	if startErr != nil {
		for _, f := range outputs {
			_ = f.Close()
		}
		if c.stdin != nil && c.console == nil {
			_ = c.stdin.Close()
		}
		c.exitCode, c.finished, c.reason = 128, time.Now(), "StartError"
		c.message = startErr.Error()
		c.log.close()
		close(c.done)
		defer onExit() // once it is registered below: the pod worker decides about a restart
	} else {
		var pumps sync.WaitGroup
		for i, f := range outputs {
			stream := "stdout"
			if i == 1 {
				stream = "stderr"
			}
			pumps.Add(1)
			go func() {
				defer pumps.Done()
				c.pump(f, stream)
			}()
		}
		go func() {
			err := cmd.Wait()
			code, reason := exitCode(err)
			waitIO(&pumps, ioDrainTimeout)
			c.mu.Lock()
			c.exitCode, c.finished, c.reason = code, time.Now(), reason
			c.mu.Unlock()
			for _, f := range outputs {
				_ = f.Close()
			}
			if c.stdin != nil && c.console == nil {
				_ = c.stdin.Close()
			}
			c.log.close()
			close(c.done)
			onExit()
		}()
	}
	r.mu.Lock()
	if old, ok := sb.containers[spec.Name]; ok {
		sb.previous[spec.Name] = old
	}
	sb.containers[spec.Name] = c
	r.containers[id] = c
	r.mu.Unlock()
	return c, nil
}

func waitIO(wg *sync.WaitGroup, timeout time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// exitCode is the code and reason a runtime reports for a finished process.
func exitCode(err error) (int32, string) {
	if err == nil {
		return 0, "Completed"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return int32(128 + int(ws.Signal())), "Error"
		}
		return int32(ee.ExitCode()), "Error"
	}
	return 128, "Error"
}

// pump copies one output of the main process into the log and to every attached client.
func (c *container) pump(f *os.File, stream string) {
	buf := make([]byte, 32*1024)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			data := buf[:n]
			c.log.write(stream, data)
			c.mu.Lock()
			targets := make([]*attachment, 0, len(c.attached))
			for a := range c.attached {
				targets = append(targets, a)
			}
			c.mu.Unlock()
			for _, a := range targets {
				w := a.out
				if stream == "stderr" && a.err != nil {
					w = a.err
				} else if stream == "stderr" {
					continue
				}
				if w == nil {
					continue
				}
				if _, werr := w.Write(data); werr != nil {
					a.once.Do(func() { close(a.failed) })
				}
			}
		}
		if err != nil {
			return // EOF, or EIO on a pty once the process is gone
		}
	}
}

func (c *container) running() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// signal sends sig to the container's process group.
func (c *container) signal(sig syscall.Signal) {
	if c.cmd != nil && c.cmd.Process != nil && c.running() {
		_ = syscall.Kill(-c.cmd.Process.Pid, sig)
	}
}

// stop sends SIGTERM, then SIGKILL after grace, and waits for the exit (bounded).
func (c *container) stop(grace time.Duration) {
	c.signal(syscall.SIGTERM)
	select {
	case <-c.done:
		return
	case <-time.After(grace):
	}
	c.signal(syscall.SIGKILL)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		logf("kubelet: container %s did not exit after SIGKILL", c.id)
	}
}

func (c *container) closeStdin() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stdin != nil && !c.stdinShut {
		c.stdinShut = true
		if c.console != nil {
			_, _ = c.console.Write([]byte{4}) // EOF for a terminal in canonical mode
		} else {
			_ = c.stdin.Close()
		}
	}
}

// killSandbox stops all containers of a pod and forgets it.
func (r *processRuntime) killSandbox(uid types.UID, grace time.Duration) {
	r.mu.Lock()
	sb, ok := r.sandboxes[uid]
	r.mu.Unlock()
	if !ok {
		return
	}
	var wg sync.WaitGroup
	for _, c := range sb.containers {
		wg.Add(1)
		go func() { defer wg.Done(); c.stop(grace) }()
	}
	wg.Wait()
	r.mu.Lock()
	delete(r.sandboxes, uid)
	for _, c := range sb.containers {
		delete(r.containers, c.id)
	}
	for _, c := range sb.previous {
		delete(r.containers, c.id)
	}
	r.mu.Unlock()
	_ = os.RemoveAll(sb.dir)
}

// shutdown kills every container (the harness is exiting).
func (r *processRuntime) shutdown() {
	r.mu.Lock()
	uids := make([]types.UID, 0, len(r.sandboxes))
	for uid := range r.sandboxes {
		uids = append(uids, uid)
	}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, uid := range uids {
		wg.Add(1)
		go func() { defer wg.Done(); r.killSandbox(uid, 2*time.Second) }()
	}
	wg.Wait()
}

func (r *processRuntime) byID(id string) (*container, error) {
	r.mu.Lock()
	c, ok := r.containers[id]
	r.mu.Unlock()
	if !ok {
		return nil, notFound("container %q not found", id)
	}
	if !c.running() {
		return nil, fmt.Errorf("container %q is not running", id)
	}
	return c, nil
}

// --- what the kubelet asks the runtime for (GetExec, GetAttach, GetPortForward) ------------

func (r *processRuntime) runningContainer(pod *v1.Pod, uid, name string) (*container, error) {
	if uid != "" && string(pod.UID) != uid {
		return nil, fmt.Errorf("pod %s not found", podFullName(pod))
	}
	c, ok := r.current(pod.UID, name)
	if !ok || !c.running() {
		return nil, fmt.Errorf("container not found (%q)", name)
	}
	return c, nil
}

func podFullName(pod *v1.Pod) string { return pod.Name + "_" + pod.Namespace }

func (r *processRuntime) execURL(s streaming.Server, pod *v1.Pod, uid, name string, cmd []string, o *remotecommandserver.Options) (*url.URL, error) {
	c, err := r.runningContainer(pod, uid, name)
	if err != nil {
		return nil, err
	}
	resp, err := s.GetExec(&runtimeapi.ExecRequest{ContainerId: c.id, Cmd: cmd, Tty: o.TTY,
		Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr})
	if err != nil {
		return nil, err
	}
	return url.Parse(resp.Url)
}

func (r *processRuntime) attachURL(s streaming.Server, pod *v1.Pod, uid, name string, o *remotecommandserver.Options) (*url.URL, error) {
	c, err := r.runningContainer(pod, uid, name)
	if err != nil {
		return nil, fmt.Errorf("container %s not found in pod %s", name, podFullName(pod))
	}
	// As the kubelet: whether there is a terminal is the container's setting, not the request's.
	stderr := o.Stderr && !c.spec.TTY
	resp, err := s.GetAttach(&runtimeapi.AttachRequest{ContainerId: c.id, Tty: c.spec.TTY,
		Stdin: o.Stdin, Stdout: o.Stdout, Stderr: stderr})
	if err != nil {
		return nil, err
	}
	return url.Parse(resp.Url)
}

func (r *processRuntime) portForwardURL(s streaming.Server, pod *v1.Pod, ports []int32) (*url.URL, error) {
	if _, ok := r.sandbox(pod.UID); !ok {
		return nil, fmt.Errorf("pod not found (%q)", podFullName(pod))
	}
	resp, err := s.GetPortForward(&runtimeapi.PortForwardRequest{PodSandboxId: string(pod.UID), Port: ports})
	if err != nil {
		return nil, err
	}
	return url.Parse(resp.Url)
}

// --- streaming.Runtime --------------------------------------------------------------------

var _ streaming.Runtime = (*processRuntime)(nil)

// Exec runs cmd as a local process in the container's folder and environment.
func (r *processRuntime) Exec(_ context.Context, containerID string, cmd []string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommandserver.TerminalSize) error {
	c, err := r.byID(containerID)
	if err != nil {
		return err
	}
	if len(cmd) == 0 {
		return errors.New("no command given")
	}
	p := exec.Command(cmd[0], cmd[1:]...)
	p.Dir, p.Env = c.dir, c.env
	if tty {
		return execTTY(p, in, out, resize)
	}
	p.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if out != nil {
		p.Stdout = out
	}
	if errOut != nil {
		p.Stderr = errOut
	}
	p.WaitDelay = ioDrainTimeout
	var stdin io.WriteCloser
	if in != nil {
		if stdin, err = p.StdinPipe(); err != nil {
			return err
		}
	}
	if err := p.Start(); err != nil {
		return err
	}
	if stdin != nil {
		// Not waited for: a process may exit without reading all of its input.
		go func() {
			_, _ = io.Copy(stdin, in)
			_ = stdin.Close()
		}()
	}
	return exitError(p.Wait())
}

func exitError(err error) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code, _ := exitCode(err)
		return utilexec.CodeExitError{Err: err, Code: int(code)}
	}
	return err
}

// awaitFirstSize applies the client's first terminal size, waiting a moment for it: a client
// sends it right after the streams are set up, and a process (or the input it reads) should
// see it from the start (otherwise `stty size` at once says "0 0").
func awaitFirstSize(resize <-chan remotecommandserver.TerminalSize, terminal *os.File) {
	select {
	case size, ok := <-resize:
		if ok {
			_ = setWinsize(terminal, size.Width, size.Height)
		}
	case <-time.After(firstResizeWait):
	}
}

// followSizes applies the client's resize events to the terminal until stop is closed.
func followSizes(resize <-chan remotecommandserver.TerminalSize, terminal *os.File, stop <-chan struct{}) {
	for {
		select {
		case size, ok := <-resize:
			if !ok {
				return
			}
			_ = setWinsize(terminal, size.Width, size.Height)
		case <-stop:
			return
		}
	}
}

// execTTY runs p on a new pseudo-terminal.
func execTTY(p *exec.Cmd, in io.Reader, out io.Writer, resize <-chan remotecommandserver.TerminalSize) error {
	master, slave, err := openPTY()
	if err != nil {
		return err
	}
	defer master.Close()
	p.Stdin, p.Stdout, p.Stderr = slave, slave, slave
	p.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	awaitFirstSize(resize, master)
	stopResize := make(chan struct{})
	defer close(stopResize)
	go followSizes(resize, master, stopResize)
	startErr := p.Start()
	_ = slave.Close()
	if startErr != nil {
		return startErr
	}
	if in != nil {
		go func() {
			_, _ = io.Copy(master, in)
			_, _ = master.Write([]byte{4}) // stdin closed: EOF for the terminal's reader
		}()
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		if out == nil {
			out = io.Discard
		}
		_, _ = io.Copy(out, master) // ends with EIO when the last holder of the terminal exits
	}()
	waitErr := p.Wait()
	select {
	case <-copied:
	case <-time.After(ioDrainTimeout):
	}
	return exitError(waitErr)
}

// Attach joins the main process of the container.
func (r *processRuntime) Attach(ctx context.Context, containerID string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommandserver.TerminalSize) error {
	c, err := r.byID(containerID)
	if err != nil {
		return err
	}
	a := &attachment{failed: make(chan struct{})}
	if out != nil {
		a.out = out
	}
	if errOut != nil {
		a.err = errOut
	}
	c.mu.Lock()
	c.attached[a] = struct{}{}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.attached, a)
		c.mu.Unlock()
	}()
	if tty && c.console != nil {
		awaitFirstSize(resize, c.console)
	}
	if in != nil && c.stdin != nil {
		go func() {
			_, _ = io.Copy(c.stdin, in)
			if c.spec.StdinOnce {
				c.closeStdin()
			}
		}()
	}
	if tty && c.console != nil {
		go followSizes(resize, c.console, c.done)
	}
	select {
	case <-c.done:
	case <-a.failed:
	case <-ctx.Done():
	}
	return nil
}

// PortForward connects the stream to 127.0.0.1:port (the pod network is the host's loopback).
func (r *processRuntime) PortForward(ctx context.Context, podSandboxID string, port int32, stream io.ReadWriteCloser) error {
	if _, ok := r.sandbox(types.UID(podSandboxID)); !ok {
		return notFound("pod sandbox %q not found", podSandboxID)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("failed to connect to localhost:%d inside namespace %q, IPv4: %w", port, podSandboxID, err)
	}
	defer conn.Close()
	go func() {
		_, _ = io.Copy(conn, stream)
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.CloseWrite()
		}
	}()
	if _, err := io.Copy(stream, conn); err != nil && !isClosedConn(err) {
		return fmt.Errorf("copying from localhost:%d: %w", port, err)
	}
	return nil
}

func isClosedConn(err error) bool {
	return errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "connection reset by peer")
}
