/**
 * The peer's control stream (RFC 9114 §6.2.1): its frame-order rules. SETTINGS must come first
 * (otherwise H3_MISSING_SETTINGS) and only once (a second is H3_FRAME_UNEXPECTED, §7.2.4); only
 * control frames may appear (Table 1). The rules are enforced when a frame's type is known,
 * before its payload is read.
 * @module
 */
import { H3Error, H3ErrorCode } from '../errors.ts';
import { H3FrameReader, type H3FrameReaderItem } from '../frames/reader.ts';
import { H3FrameType, h3FrameTypeName } from '../frames/types.ts';
import { checkH3FrameAllowed } from './frame-legality.ts';

export class ControlStreamReader {
  private settingsSeen = false;
  private readonly reader: H3FrameReader;

  constructor(options: { readonly maxSettingsFrame?: number } = {}) {
    this.reader = new H3FrameReader({
      ...(options.maxSettingsFrame !== undefined ? { maxSettingsFrame: options.maxSettingsFrame } : {}),
      onFrameStart: (type) => this.check(type),
    });
  }

  /** Feeds control-stream bytes (after the stream type); returns the frames they completed. */
  push(chunk: Uint8Array): H3FrameReaderItem[] {
    return this.reader.push(chunk);
  }

  private check(type: number): void {
    if (!this.settingsSeen) {
      // RFC 9114 §6.2.1: whatever the first frame is, it must be SETTINGS.
      if (type !== H3FrameType.SETTINGS) {
        throw new H3Error(H3ErrorCode.H3_MISSING_SETTINGS, `first control frame is ${h3FrameTypeName(type)}, not SETTINGS`);
      }
      this.settingsSeen = true;
      return;
    }
    if (type === H3FrameType.SETTINGS) throw new H3Error(H3ErrorCode.H3_FRAME_UNEXPECTED, 'second SETTINGS frame');
    checkH3FrameAllowed(type, 'control', false);
  }
}
