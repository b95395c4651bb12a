import { describe, expect, it } from "vitest";
import { isKernelResident, KERNEL_SCRATCH_BYTES, kernelFloat32Array, kernelMatrix, leaseKernelMemory } from "./kernel-memory.js";
import { caught } from "./test-helpers.js";

describe("kernel-resident arrays", () => {
  it("live in a shared WebAssembly memory after the scratch area, zero-filled", () => {
    const a = kernelFloat32Array(1000);
    expect(a.length).toBe(1000);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.byteOffset).toBe(KERNEL_SCRATCH_BYTES);
    expect(a.every((v) => v === 0)).toBe(true);
    expect(isKernelResident(a)).toBe(true);
    expect(isKernelResident(a.subarray(10, 20))).toBe(true);
    expect(isKernelResident(new Float32Array(10))).toBe(false);
    expect(isKernelResident(new Float32Array(new SharedArrayBuffer(40)))).toBe(false);
    const m = kernelMatrix(3, 4);
    expect(m).toMatchObject({ rows: 3, cols: 4 });
    expect(m.data.length).toBe(12);
    expect(isKernelResident(m.data)).toBe(true);
  });

  it("leases are exclusive per memory and released once", () => {
    const a = kernelFloat32Array(64);
    const lease = leaseKernelMemory(a)!;
    expect(lease.byteOffset).toBe(KERNEL_SCRATCH_BYTES);
    expect(lease.scratchBytes).toBe(KERNEL_SCRATCH_BYTES);
    expect(new Float32Array((lease.memory as { buffer: SharedArrayBuffer }).buffer, lease.byteOffset, 64)).toEqual(a);
    expect(leaseKernelMemory(a.subarray(8))).toBeNull();
    expect(leaseKernelMemory(kernelFloat32Array(8))).not.toBeNull();
    lease.release();
    const again = leaseKernelMemory(a.subarray(8))!;
    expect(again.byteOffset).toBe(KERNEL_SCRATCH_BYTES + 32);
    lease.release(); // a stale release does not free someone else's lease
    expect(leaseKernelMemory(a)).toBeNull();
    again.release();
    expect(leaseKernelMemory(new Float32Array(4))).toBeNull();
  });

  it("bad lengths are typed errors", async () => {
    expect((await caught(() => kernelFloat32Array(-1))).code).toBe("INVALID_OPTION");
    expect((await caught(() => kernelMatrix(2, 1.5))).message).toMatch(/cols/);
  });
});
