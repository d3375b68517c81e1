// SCPDs of the simulated MediaRenderer: the required actions of AVTransport:1, RenderingControl:1
// and ConnectionManager:1 with the state variables they refer to. As the AV specs say, only
// LastChange is evented on AVTransport and RenderingControl; ConnectionManager events its three.

type Arg = readonly [name: string, direction: 'in' | 'out', related: string];
type Var = readonly [name: string, dataType: string, sendEvents: boolean, allowed?: readonly string[], range?: readonly [number, number]];

function scpd(actions: ReadonlyArray<readonly [string, readonly Arg[]]>, vars: readonly Var[]): string {
  const a = actions.map(([name, args]) => {
    const list = args.map(([n, d, r]) =>
      `        <argument><name>${n}</name><direction>${d}</direction><relatedStateVariable>${r}</relatedStateVariable></argument>\n`).join('');
    return `    <action>\n      <name>${name}</name>\n${args.length ? `      <argumentList>\n${list}      </argumentList>\n` : ''}    </action>\n`;
  }).join('');
  const v = vars.map(([name, type, events, allowed, range]) => {
    let extra = '';
    if (allowed) extra += `<allowedValueList>${allowed.map((x) => `<allowedValue>${x}</allowedValue>`).join('')}</allowedValueList>`;
    if (range) extra += `<allowedValueRange><minimum>${range[0]}</minimum><maximum>${range[1]}</maximum><step>1</step></allowedValueRange>`;
    return `    <stateVariable sendEvents="${events ? 'yes' : 'no'}"><name>${name}</name><dataType>${type}</dataType>${extra}</stateVariable>\n`;
  }).join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<scpd xmlns="urn:schemas-upnp-org:service-1-0">
  <specVersion>
    <major>1</major>
    <minor>0</minor>
  </specVersion>
  <actionList>
${a}  </actionList>
  <serviceStateTable>
${v}  </serviceStateTable>
</scpd>
`;
}

const ID: Arg = ['InstanceID', 'in', 'A_ARG_TYPE_InstanceID'];

export const TRANSPORT_STATES = ['STOPPED', 'PLAYING', 'PAUSED_PLAYBACK', 'TRANSITIONING', 'NO_MEDIA_PRESENT'] as const;

const AV_TRANSPORT_ACTIONS: ReadonlyArray<readonly [string, readonly Arg[]]> = [
  ['SetAVTransportURI', [ID, ['CurrentURI', 'in', 'AVTransportURI'], ['CurrentURIMetaData', 'in', 'AVTransportURIMetaData']]],
  ['GetMediaInfo', [ID, ['NrTracks', 'out', 'NumberOfTracks'], ['MediaDuration', 'out', 'CurrentMediaDuration'],
    ['CurrentURI', 'out', 'AVTransportURI'], ['CurrentURIMetaData', 'out', 'AVTransportURIMetaData'],
    ['NextURI', 'out', 'NextAVTransportURI'], ['NextURIMetaData', 'out', 'NextAVTransportURIMetaData'],
    ['PlayMedium', 'out', 'PlaybackStorageMedium'], ['RecordMedium', 'out', 'RecordStorageMedium'],
    ['WriteStatus', 'out', 'RecordMediumWriteStatus']]],
  ['GetTransportInfo', [ID, ['CurrentTransportState', 'out', 'TransportState'], ['CurrentTransportStatus', 'out', 'TransportStatus'],
    ['CurrentSpeed', 'out', 'TransportPlaySpeed']]],
  ['GetPositionInfo', [ID, ['Track', 'out', 'CurrentTrack'], ['TrackDuration', 'out', 'CurrentTrackDuration'],
    ['TrackMetaData', 'out', 'CurrentTrackMetaData'], ['TrackURI', 'out', 'CurrentTrackURI'],
    ['RelTime', 'out', 'RelativeTimePosition'], ['AbsTime', 'out', 'AbsoluteTimePosition'],
    ['RelCount', 'out', 'RelativeCounterPosition'], ['AbsCount', 'out', 'AbsoluteCounterPosition']]],
  ['GetDeviceCapabilities', [ID, ['PlayMedia', 'out', 'PossiblePlaybackStorageMedia'], ['RecMedia', 'out', 'PossibleRecordStorageMedia'],
    ['RecQualityModes', 'out', 'PossibleRecordQualityModes']]],
  ['GetTransportSettings', [ID, ['PlayMode', 'out', 'CurrentPlayMode'], ['RecQualityMode', 'out', 'CurrentRecordQualityMode']]],
  ['Stop', [ID]],
  ['Play', [ID, ['Speed', 'in', 'TransportPlaySpeed']]],
  ['Pause', [ID]],
  ['Seek', [ID, ['Unit', 'in', 'A_ARG_TYPE_SeekMode'], ['Target', 'in', 'A_ARG_TYPE_SeekTarget']]],
  ['Next', [ID]],
  ['Previous', [ID]],
];

const AV_TRANSPORT_VARS: readonly Var[] = [
  ['TransportState', 'string', false, TRANSPORT_STATES],
  ['TransportStatus', 'string', false, ['OK', 'ERROR_OCCURRED']],
  ['PlaybackStorageMedium', 'string', false, ['NONE', 'NETWORK']],
  ['RecordStorageMedium', 'string', false, ['NOT_IMPLEMENTED']],
  ['PossiblePlaybackStorageMedia', 'string', false],
  ['PossibleRecordStorageMedia', 'string', false],
  ['CurrentPlayMode', 'string', false, ['NORMAL']],
  ['TransportPlaySpeed', 'string', false, ['1']],
  ['RecordMediumWriteStatus', 'string', false, ['NOT_IMPLEMENTED']],
  ['CurrentRecordQualityMode', 'string', false, ['NOT_IMPLEMENTED']],
  ['PossibleRecordQualityModes', 'string', false],
  ['NumberOfTracks', 'ui4', false, undefined, [0, 1]],
  ['CurrentTrack', 'ui4', false, undefined, [0, 1]],
  ['CurrentTrackDuration', 'string', false],
  ['CurrentMediaDuration', 'string', false],
  ['CurrentTrackMetaData', 'string', false],
  ['CurrentTrackURI', 'string', false],
  ['AVTransportURI', 'string', false],
  ['AVTransportURIMetaData', 'string', false],
  ['NextAVTransportURI', 'string', false],
  ['NextAVTransportURIMetaData', 'string', false],
  ['RelativeTimePosition', 'string', false],
  ['AbsoluteTimePosition', 'string', false],
  ['RelativeCounterPosition', 'i4', false],
  ['AbsoluteCounterPosition', 'i4', false],
  ['CurrentTransportActions', 'string', false],
  ['LastChange', 'string', true],
  ['A_ARG_TYPE_SeekMode', 'string', false, ['REL_TIME', 'TRACK_NR']],
  ['A_ARG_TYPE_SeekTarget', 'string', false],
  ['A_ARG_TYPE_InstanceID', 'ui4', false],
];

export const AV_TRANSPORT_SCPD = scpd(AV_TRANSPORT_ACTIONS, AV_TRANSPORT_VARS);

/** With SetNextAVTransportURI (AVTransport:1's optional queue of one), for renderers made with `queue: true`. */
export const AV_TRANSPORT_SCPD_WITH_QUEUE = scpd([...AV_TRANSPORT_ACTIONS, ['SetNextAVTransportURI', [ID, ['NextURI', 'in', 'NextAVTransportURI'], ['NextURIMetaData', 'in', 'NextAVTransportURIMetaData']]]], AV_TRANSPORT_VARS);

export const RENDERING_CONTROL_SCPD = scpd([
  ['ListPresets', [ID, ['CurrentPresetNameList', 'out', 'PresetNameList']]],
  ['SelectPreset', [ID, ['PresetName', 'in', 'A_ARG_TYPE_PresetName']]],
  ['GetMute', [ID, ['Channel', 'in', 'A_ARG_TYPE_Channel'], ['CurrentMute', 'out', 'Mute']]],
  ['SetMute', [ID, ['Channel', 'in', 'A_ARG_TYPE_Channel'], ['DesiredMute', 'in', 'Mute']]],
  ['GetVolume', [ID, ['Channel', 'in', 'A_ARG_TYPE_Channel'], ['CurrentVolume', 'out', 'Volume']]],
  ['SetVolume', [ID, ['Channel', 'in', 'A_ARG_TYPE_Channel'], ['DesiredVolume', 'in', 'Volume']]],
], [
  ['PresetNameList', 'string', false],
  ['LastChange', 'string', true],
  ['Mute', 'boolean', false],
  ['Volume', 'ui2', false, undefined, [0, 100]],
  ['A_ARG_TYPE_Channel', 'string', false, ['Master']],
  ['A_ARG_TYPE_InstanceID', 'ui4', false],
  ['A_ARG_TYPE_PresetName', 'string', false, ['FactoryDefaults']],
]);

export const RENDERER_CONNECTION_MANAGER_SCPD = scpd([
  ['GetProtocolInfo', [['Source', 'out', 'SourceProtocolInfo'], ['Sink', 'out', 'SinkProtocolInfo']]],
  ['GetCurrentConnectionIDs', [['ConnectionIDs', 'out', 'CurrentConnectionIDs']]],
  ['GetCurrentConnectionInfo', [['ConnectionID', 'in', 'A_ARG_TYPE_ConnectionID'], ['RcsID', 'out', 'A_ARG_TYPE_RcsID'],
    ['AVTransportID', 'out', 'A_ARG_TYPE_AVTransportID'], ['ProtocolInfo', 'out', 'A_ARG_TYPE_ProtocolInfo'],
    ['PeerConnectionManager', 'out', 'A_ARG_TYPE_ConnectionManager'], ['PeerConnectionID', 'out', 'A_ARG_TYPE_ConnectionID'],
    ['Direction', 'out', 'A_ARG_TYPE_Direction'], ['Status', 'out', 'A_ARG_TYPE_ConnectionStatus']]],
], [
  ['SourceProtocolInfo', 'string', true],
  ['SinkProtocolInfo', 'string', true],
  ['CurrentConnectionIDs', 'string', true],
  ['A_ARG_TYPE_ConnectionStatus', 'string', false, ['OK', 'ContentFormatMismatch', 'InsufficientBandwidth', 'UnreliableChannel', 'Unknown']],
  ['A_ARG_TYPE_ConnectionManager', 'string', false],
  ['A_ARG_TYPE_Direction', 'string', false, ['Input', 'Output']],
  ['A_ARG_TYPE_ProtocolInfo', 'string', false],
  ['A_ARG_TYPE_ConnectionID', 'i4', false],
  ['A_ARG_TYPE_AVTransportID', 'i4', false],
  ['A_ARG_TYPE_RcsID', 'i4', false],
]);

/** What the renderer can play. */
export const RENDERER_SINK_PROTOCOL_INFO = [
  'http-get:*:audio/mpeg:*',
  'http-get:*:audio/flac:*',
  'http-get:*:video/mp4:*',
  'http-get:*:image/jpeg:*',
].join(',');
