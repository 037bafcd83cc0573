/**
 * The Vulkan loader check that keeps dawn.node from loading (and printing its C++ warning in
 * every compute child) on a host that has no libvulkan.so.1.
 */
import { describe, expect, it } from 'vitest';
import { findVulkanLoader, VULKAN_LOADER } from '../../recsys/backends/vulkan-loader.ts';

const none = () => false;

describe('findVulkanLoader', () => {
  it('finds it in LD_LIBRARY_PATH first (a carried loader, as on the GPU device)', () => {
    const at = '/opt/bundle/lib/libvulkan.so.1';
    expect(findVulkanLoader({ platform: 'linux', ldLibraryPath: '/nowhere::/opt/bundle/lib', exists: (f) => f === at })).toBe(at);
  });

  it('finds it through ld.so.cache, then the usual folders', () => {
    expect(findVulkanLoader({ platform: 'linux', ldCache: Buffer.from(`\0glibc-ld.so.cache\0${VULKAN_LOADER}\0`), exists: none })).toBe('ld.so.cache');
    expect(findVulkanLoader({ platform: 'linux', exists: (f) => f === '/usr/lib64/libvulkan.so.1' })).toBe('/usr/lib64/libvulkan.so.1');
  });

  it('finds nothing on a host without one (other libraries in the cache do not count)', () => {
    expect(findVulkanLoader({ platform: 'linux', ldLibraryPath: '/a:/b', ldCache: Buffer.from('libvulkan_lvp.so\0libc.so.6'), exists: none })).toBeUndefined();
  });

  it('does not check other platforms', () => {
    expect(findVulkanLoader({ platform: 'darwin', exists: none })).toBe('not-linux');
  });

});
