/**
 * The GenAI twins of a span's keys (genai-conventions.md 8), written straight into its attributes
 * as the builders of ./attributes.ts give them: a twin goes after the keys already there, unless
 * the span has that key already (the sender's own key wins); a twin given twice keeps its first
 * place and takes the later value. With both dialects the twins added are listed under
 * `langfuse.bridge.genai_twins`, so the forward mapping can tell them from the sender's own keys.
 * The same as collecting the twins in a list of their own and adding them after, without that list.
 */
import type { AttrList, AttrValue } from '../attr-list.js';
import { LF } from '../keys.js';
import type { AttrSink } from './attributes.js';

export class TwinWriter implements AttrSink {
  private _attributes: AttrList | undefined;
  private _mark = false;
  private _added: string[] | undefined;
  /** The twin keys given for this span, in order, and where each went in its attributes (-1: not added). */
  private readonly _keys: string[] = [];
  private readonly _at: number[] = [];

  /** Starts on a span's attributes; `mark`: list the twins added. */
  start(attributes: AttrList, mark: boolean): this {
    this._attributes = attributes;
    this._mark = mark;
    this._added = undefined;
    this._keys.length = 0;
    this._at.length = 0;
    return this;
  }

  append(key: string, value: AttrValue): void {
    this.set(key, value);
  }

  /**
   * A twin. The GenAI builders never give one `undefined` (nor `null`): a twin added is never
   * taken back.
   */
  set(key: string, value: AttrValue): void {
    const attributes = this._attributes;
    const given = this._keys.indexOf(key);
    if (given >= 0) {
      const at = this._at[given] as number;
      if (at >= 0) attributes?.replaceAt(at, value);
      return;
    }
    this._keys.push(key);
    if (attributes === undefined || attributes.has(key) || value === undefined) {
      this._at.push(-1);
      return;
    }
    this._at.push(attributes.size);
    attributes.append(key, value);
    if (this._mark) (this._added ??= []).push(key);
  }

  /** Lists the twins added (both dialects), and lets go of the span. */
  finish(): void {
    if (this._added !== undefined) this._attributes?.set(LF.bridgeGenaiTwins, this._added);
    this._attributes = undefined;
    this._added = undefined;
  }
}
