/**
 * LINKTYPE_ names (https://www.tcpdump.org/linktypes.html) for messages and reports. Only names:
 * which link types hubcap decodes is decided in src/decode.
 */
const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'ETHERNET', 6: 'IEEE802_5', 8: 'SLIP', 9: 'PPP', 10: 'FDDI',
  50: 'PPP_HDLC', 51: 'PPP_ETHER', 100: 'ATM_RFC1483', 101: 'RAW', 104: 'C_HDLC', 105: 'IEEE802_11',
  107: 'FRELAY', 108: 'LOOP', 113: 'LINUX_SLL', 117: 'PFLOG', 119: 'IEEE802_11_PRISM', 122: 'IP_OVER_FC',
  127: 'IEEE802_11_RADIOTAP', 129: 'ARCNET_LINUX', 138: 'APPLE_IP_OVER_IEEE1394', 143: 'DOCSIS',
  163: 'IEEE802_11_AVS', 169: 'GPRS_LLC', 177: 'LINUX_LAPD', 187: 'BLUETOOTH_HCI_H4', 189: 'USB_LINUX',
  192: 'PPI', 195: 'IEEE802_15_4_WITHFCS', 197: 'ERF', 201: 'BLUETOOTH_HCI_H4_WITH_PHDR',
  204: 'PPP_WITH_DIR', 220: 'USB_LINUX_MMAPPED', 226: 'IPNET', 227: 'CAN_SOCKETCAN', 228: 'IPV4',
  229: 'IPV6', 230: 'IEEE802_15_4_NOFCS', 231: 'DBUS', 239: 'NFLOG', 240: 'NETANALYZER',
  241: 'NETANALYZER_TRANSPARENT', 242: 'IPOIB', 243: 'MPEG_2_TS', 248: 'SCTP', 249: 'USBPCAP',
  251: 'BLUETOOTH_LE_LL', 253: 'NETLINK', 254: 'BLUETOOTH_LINUX_MONITOR', 256: 'BLUETOOTH_LE_LL_WITH_PHDR',
  258: 'PKTAP', 266: 'USB_DARWIN', 271: 'VSOCK', 272: 'NORDIC_BLE', 274: 'ETHERNET_MPACKET',
  276: 'LINUX_SLL2', 279: 'EBHSCR', 280: 'VPP_DISPATCH', 283: 'IEEE802_15_4_TAP', 290: 'ETW',
}

/** "LINKTYPE_ETHERNET (1)", or "LINKTYPE 147" for a value without a registered name here. */
export function linkTypeName(linkType: number): string {
  const name = NAMES[linkType]
  return name === undefined ? `LINKTYPE ${linkType}` : `LINKTYPE_${name} (${linkType})`
}
