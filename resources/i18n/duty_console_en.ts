<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>ActiveWarningsStrip</name>
    <message>
        <source>生效预警</source>
        <translation>Warnings in force</translation>
    </message>
    <message>
        <source>【演习】</source>
        <translation>[Exercise] </translation>
    </message>
    <message>
        <source>另有 {n} 条</source>
        <translation>{n} more</translation>
    </message>
</context>
<context>
    <name>AddUserDialog</name>
    <message>
        <source>新增用户</source>
        <translation>Add user</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>再输入一次</source>
        <translation>Again</translation>
    </message>
    <message>
        <source>密码至少 10 位，含大小写字母、数字、符号中的三类，不含用户名</source>
        <translation>At least 10 characters with three of: lower case, upper case, digits, symbols; not containing the user name</translation>
    </message>
    <message>
        <source>两次输入的密码不一致</source>
        <translation>The two passwords differ</translation>
    </message>
</context>
<context>
    <name>AlarmBanner</name>
    <message>
        <source>查看</source>
        <translation>View</translation>
    </message>
    <message>
        <source>知道了</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>报送提醒：{overdue} 项已超时，{soon} 项即将到期。请及时报送。</source>
        <translation>Reporting alert: {overdue} overdue, {soon} due soon. Please report in time.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>程序错误</source>
        <translation>Program error</translation>
    </message>
    <message>
        <source>程序遇到内部错误，将关闭。已保存的数据不会丢失。

{error}</source>
        <translation>The program hit an internal error and will close. Saved data is not lost.

{error}</translation>
    </message>
    <message>
        <source>应急值守指挥台</source>
        <translation>Duty Console</translation>
    </message>
    <message>
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
    <message>
        <source>无法打开数据库：
{error}</source>
        <translation>Cannot open the database:
{error}</translation>
    </message>
</context>
<context>
    <name>Audit</name>
    <message>
        <source>审计记录 #{id} 的内容已被改动 (record #{id} was altered)</source>
        <translation>Audit record #{id} was altered</translation>
    </message>
    <message>
        <source>审计链在记录 #{id} 处断开：其前有记录被删除、插入或调换 (the chain breaks at record #{id}: a record before it was deleted, inserted or reordered)</source>
        <translation>The audit chain breaks at record #{id}: a record before it was deleted, inserted or reordered</translation>
    </message>
    <message>
        <source>审计链末尾的记录被删除 (records were removed from the end of the chain)</source>
        <translation>Records were removed from the end of the audit chain</translation>
    </message>
    <message>
        <source>审计记录数或链头与上次检查不符：有记录被删除、插入或改动，完整检查可定位 (the records do not match the last check and the chain&apos;s head: one was deleted, inserted or changed; a full check names it)</source>
        <translation>The audit records do not match the last check and the chain&apos;s head: a record was deleted, inserted or changed; a full check names it</translation>
    </message>
</context>
<context>
    <name>BackupDialog</name>
    <message>
        <source>自动备份</source>
        <translation>Scheduled backup</translation>
    </message>
    <message>
        <source>留空则不自动备份；不要与密钥放在一起</source>
        <translation>Leave empty for no scheduled backups; not where the key is kept</translation>
    </message>
    <message>
        <source>选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source> 份</source>
        <translation> backups</translation>
    </message>
    <message>
        <source>密钥文件：{path}（请另行妥善保存一份）</source>
        <translation>Key file: {path} (keep a copy in a safe place, apart from the backups)</translation>
    </message>
    <message>
        <source>备份目录</source>
        <translation>Backup folder</translation>
    </message>
    <message>
        <source>每天（北京时间）</source>
        <translation>Daily at (Beijing time)</translation>
    </message>
    <message>
        <source>保留</source>
        <translation>Keep</translation>
    </message>
    <message>
        <source>上次备份</source>
        <translation>Last backup</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>立即备份</source>
        <translation>Back up now</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>尚无</source>
        <translation>None yet</translation>
    </message>
    <message>
        <source>{date} 成功：{path}</source>
        <translation>{date} done: {path}</translation>
    </message>
    <message>
        <source>{date} 失败：{message}</source>
        <translation>{date} failed: {message}</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>已保存。</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <source>未保存：{reason}</source>
        <translation>Not saved: {reason}</translation>
    </message>
    <message>
        <source>现在不能备份（没有调度器或正在备份）。</source>
        <translation>Cannot back up now (no scheduler here, or a backup is under way).</translation>
    </message>
    <message>
        <source>正在备份，完成后在此显示。</source>
        <translation>Backing up; the outcome will show here.</translation>
    </message>
    <message>
        <source>备份已结束。</source>
        <translation>The backup has finished.</translation>
    </message>
</context>
<context>
    <name>BackupSchedule</name>
    <message>
        <source>备份目录须为绝对路径：{path}</source>
        <translation>The backup folder must be an absolute path: {path}</translation>
    </message>
    <message>
        <source>时间格式应为 HH:MM：{text}</source>
        <translation>The time must be HH:MM: {text}</translation>
    </message>
    <message>
        <source>保留份数应在 1–365：{n}</source>
        <translation>Keep between 1 and 365 backups: {n}</translation>
    </message>
</context>
<context>
    <name>Calls</name>
    <message>
        <source>请选择呼叫组或联系人</source>
        <translation>Choose a call group or contacts</translation>
    </message>
    <message>
        <source>呼叫组没有可拨打的成员</source>
        <translation>The call group has no members to call</translation>
    </message>
    <message>
        <source>通话记录 #{id} 不存在</source>
        <translation>Call #{id} does not exist</translation>
    </message>
    <message>
        <source>群呼 #{id} 不存在</source>
        <translation>Group call #{id} does not exist</translation>
    </message>
    <message>
        <source>电话号码格式不对：{n!r}</source>
        <translation>Not a phone number: {n!r}</translation>
    </message>
    <message>
        <source>事件 #{id} 不存在</source>
        <translation>Incident #{id} does not exist</translation>
    </message>
    <message>
        <source>呼叫组 #{id} 不存在</source>
        <translation>Call group #{id} does not exist</translation>
    </message>
    <message>
        <source>联系人不存在：{ids}</source>
        <translation>No such contacts: {ids}</translation>
    </message>
    <message>
        <source>联系人 #{id} 不存在</source>
        <translation>Contact #{id} does not exist</translation>
    </message>
</context>
<context>
    <name>Cap</name>
    <message>
        <source>范围为 Restricted 时必须有 &lt;restriction&gt; (Restricted scope needs a restriction)</source>
        <translation>Restricted scope needs a &lt;restriction&gt;</translation>
    </message>
    <message>
        <source>只有范围为 Restricted 时才能有 &lt;restriction&gt; (restriction is used only when scope is Restricted)</source>
        <translation>&lt;restriction&gt; is used only when scope is Restricted</translation>
    </message>
    <message>
        <source>范围为 Private 时必须有 &lt;addresses&gt; (Private scope needs addresses)</source>
        <translation>Private scope needs &lt;addresses&gt;</translation>
    </message>
    <message>
        <source>第 {line} 行：{message}</source>
        <translation>line {line}: {message}</translation>
    </message>
    <message>
        <source>文件太大，不是一条 CAP 预警 (file too large for a CAP alert)</source>
        <translation>The file is too large for a CAP alert</translation>
    </message>
    <message>
        <source>不符合 CAP 1.2 模式 (invalid against CAP-v1.2.xsd)</source>
        <translation>Invalid against the CAP 1.2 schema (CAP-v1.2.xsd)</translation>
    </message>
    <message>
        <source>&lt;addresses&gt; 的引号不成对 (unbalanced quotes in addresses)</source>
        <translation>Unbalanced quotes in &lt;addresses&gt;</translation>
    </message>
    <message>
        <source>时间 {t} 超出可处理的范围 (time out of range)</source>
        <translation>Time {t} is out of range</translation>
    </message>
    <message>
        <source>XML 格式错误 (not well-formed XML): {e}</source>
        <translation>Not well-formed XML: {e}</translation>
    </message>
    <message>
        <source>根元素是 {tag}，不是 CAP 1.2 的 alert (not a CAP 1.2 alert)</source>
        <translation>The root element is {tag}, not a CAP 1.2 alert</translation>
    </message>
    <message>
        <source>不是格式正确的 XML (not well-formed XML): {e}</source>
        <translation>Not well-formed XML: {e}</translation>
    </message>
</context>
<context>
    <name>ConferenceTab</name>
    <message>
        <source>号码，多个用逗号分开</source>
        <translation>Numbers, separated by commas</translation>
    </message>
    <message>
        <source>邀请入会</source>
        <translation>Invite</translation>
    </message>
    <message>
        <source>邀请所选组</source>
        <translation>Invite selected group</translation>
    </message>
    <message>
        <source>邀请“群呼/点名”中所选呼叫组的全体成员</source>
        <translation>Invite every member of the call group selected under “Group call/Roll-call”</translation>
    </message>
    <message>
        <source>号码</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>通道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <source>取消静音</source>
        <translation>Unmute</translation>
    </message>
    <message>
        <source>请出会议</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>会议室：</source>
        <translation>Conference:</translation>
    </message>
    <message>
        <source>没有可用的交换机</source>
        <translation>No PBX available</translation>
    </message>
    <message>
        <source>已静音</source>
        <translation>Muted</translation>
    </message>
    <message>
        <source>通话中</source>
        <translation>Talking</translation>
    </message>
    <message>
        <source>会议室 {name}：{n} 人</source>
        <translation>Conference {name}: {n} in it</translation>
    </message>
    <message>
        <source>正在邀请 {number} 入会…</source>
        <translation>Inviting {number}…</translation>
    </message>
    <message>
        <source>{number} 已入会</source>
        <translation>{number} joined</translation>
    </message>
    <message>
        <source>{number} 未能入会：{why}</source>
        <translation>{number} did not join: {why}</translation>
    </message>
    <message>
        <source>已静音 {ch}</source>
        <translation>Muted {ch}</translation>
    </message>
    <message>
        <source>已取消静音 {ch}</source>
        <translation>Unmuted {ch}</translation>
    </message>
    <message>
        <source>已请出会议 {ch}</source>
        <translation>Removed {ch}</translation>
    </message>
    <message>
        <source>请先在“群呼/点名”中选择呼叫组</source>
        <translation>Choose a call group under “Group call/Roll-call” first</translation>
    </message>
</context>
<context>
    <name>ConnectionBanner</name>
    <message>
        <source>数据库连接中断，只读：现在的修改不会保存（会提示并保留内容），连接恢复后自动解除</source>
        <translation>Database connection lost — read-only: changes are not saved now (you are told, and what you entered is kept); this clears by itself once the connection is back</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <source>编辑联系人</source>
        <translation>Edit contact</translation>
    </message>
    <message>
        <source>新增联系人</source>
        <translation>New contact</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>号码</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>添加号码</source>
        <translation>Add number</translation>
    </message>
    <message>
        <source>删除号码</source>
        <translation>Remove number</translation>
    </message>
    <message>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>职务</source>
        <translation>Post</translation>
    </message>
    <message>
        <source>姓名 *</source>
        <translation>Name *</translation>
    </message>
    <message>
        <source>电话 *</source>
        <translation>Phones *</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>请改正标出的项</source>
        <translation>Please correct the marked fields</translation>
    </message>
</context>
<context>
    <name>Contacts</name>
    <message>
        <source>至少需要一个电话号码 (at least one phone number)</source>
        <translation>At least one phone number is required</translation>
    </message>
    <message>
        <source>第 1 行：缺少 姓名 或 电话1 列 (header needs name and phone1)</source>
        <translation>Line 1: the header needs a name and a phone1 column</translation>
    </message>
    <message>
        <source>成员重复</source>
        <translation>A member is listed twice</translation>
    </message>
    <message>
        <source>文件是空的 (empty file)</source>
        <translation>The file is empty</translation>
    </message>
    <message>
        <source>与第 {line} 行重复（同一单位同名）</source>
        <translation>Same as line {line} (same name in the same unit)</translation>
    </message>
    <message>
        <source>电话号码最多 {n} 个</source>
        <translation>At most {n} phone numbers</translation>
    </message>
    <message>
        <source>电话{i}格式不对：{number!r}（只能有数字、+、- 和空格）</source>
        <translation>Phone {i} is not a phone number: {number!r} (digits, +, - and spaces only)</translation>
    </message>
    <message>
        <source>电话{i}的说明太长（最多 {n} 字）</source>
        <translation>The label of phone {i} is too long (at most {n} characters)</translation>
    </message>
    <message>
        <source>第 1 行：未知的列 {names}；应为 单位,职务,姓名,电话1,电话2,备注</source>
        <translation>Line 1: unknown columns {names}; expected unit,title,name,phone1,phone2,notes</translation>
    </message>
    <message>
        <source>联系人 #{id} 不存在</source>
        <translation>Contact #{id} does not exist</translation>
    </message>
    <message>
        <source>呼叫组 #{id} 不存在</source>
        <translation>Call group #{id} does not exist</translation>
    </message>
    <message>
        <source>已有同名呼叫组：{name}</source>
        <translation>A call group of this name exists: {name}</translation>
    </message>
    <message>
        <source>文件不是 UTF-8 或 GB18030 编码的文本 (not UTF-8 text)</source>
        <translation>The file is not UTF-8 or GB18030 text</translation>
    </message>
    <message>
        <source>联系人 #{id} 已被他人修改，请刷新后再改</source>
        <translation>Contact #{id} was changed by someone else; refresh and edit again</translation>
    </message>
    <message>
        <source>文件太大 (file too large): 最多 {n} 字节</source>
        <translation>File too large: at most {n} bytes</translation>
    </message>
    <message>
        <source>联系人不存在：{ids}</source>
        <translation>No such contacts: {ids}</translation>
    </message>
    <message>
        <source>第 1 行：列名重复 {name}</source>
        <translation>Line 1: column {name} appears twice</translation>
    </message>
    <message>
        <source>多出的列：{cell!r}</source>
        <translation>An extra column: {cell!r}</translation>
    </message>
    <message>
        <source>CSV 格式错误：{e}</source>
        <translation>Not valid CSV: {e}</translation>
    </message>
</context>
<context>
    <name>ContactsTab</name>
    <message>
        <source>搜索单位、职务、姓名或号码</source>
        <translation>Search unit, post, name or number</translation>
    </message>
    <message>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>职务</source>
        <translation>Post</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phones</translation>
    </message>
    <message>
        <source>更多…</source>
        <translation>More…</translation>
    </message>
    <message>
        <source>新增</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>编辑</source>
        <translation>Edit</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>拨打</source>
        <translation>Call</translation>
    </message>
    <message>
        <source>导入CSV…</source>
        <translation>Import CSV…</translation>
    </message>
    <message>
        <source>导出CSV…</source>
        <translation>Export CSV…</translation>
    </message>
    <message>
        <source>再按一次删除</source>
        <translation>Press again to delete</translation>
    </message>
    <message>
        <source>已保存：{who}</source>
        <translation>Saved: {who}</translation>
    </message>
    <message>
        <source>已删除：{who}</source>
        <translation>Deleted: {who}</translation>
    </message>
    <message>
        <source>已停用（有通话记录）：{who}</source>
        <translation>Deactivated (has calls on record): {who}</translation>
    </message>
    <message>
        <source>无法读取文件：{e}</source>
        <translation>Cannot read the file: {e}</translation>
    </message>
    <message>
        <source>正在导入 {name}…</source>
        <translation>Importing {name}…</translation>
    </message>
    <message>
        <source>导入完成：新增 {a}，更新 {u}，未变 {n}，有问题 {p} 行</source>
        <translation>Import done: {a} added, {u} updated, {n} unchanged, {p} rows with problems</translation>
    </message>
    <message>
        <source>第 {line} 行：{message}</source>
        <translation>Line {line}: {message}</translation>
    </message>
    <message>
        <source>导出失败：{e}</source>
        <translation>Export failed: {e}</translation>
    </message>
    <message>
        <source>已导出 {n} 位联系人到 {path}</source>
        <translation>Exported {n} contacts to {path}</translation>
    </message>
    <message>
        <source>导入通讯录</source>
        <translation>Import directory</translation>
    </message>
    <message>
        <source>CSV 文件 (*.csv);;所有文件 (*)</source>
        <translation>CSV files (*.csv);;All files (*)</translation>
    </message>
    <message>
        <source>导出通讯录</source>
        <translation>Export directory</translation>
    </message>
    <message>
        <source>CSV 文件 (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
</context>
<context>
    <name>Deadlines</name>
    <message>
        <source>首报</source>
        <translation>First</translation>
    </message>
    <message>
        <source>终报</source>
        <translation>Final</translation>
    </message>
    <message>
        <source>续报{n}</source>
        <translation>Follow-up {n}</translation>
    </message>
    <message>
        <source>待报</source>
        <translation>Pending</translation>
    </message>
    <message>
        <source>即将到期</source>
        <translation>Due soon</translation>
    </message>
    <message>
        <source>已超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>已报</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>事件 #{id} 不存在</source>
        <translation>Incident #{id} does not exist</translation>
    </message>
    <message>
        <source>{stage}已报送过</source>
        <translation>{stage} was already sent</translation>
    </message>
</context>
<context>
    <name>DeviceCredentials</name>
    <message>
        <source>设备凭据密钥文件格式不对（应为 64 位十六进制）：{path}</source>
        <translation>The device-credentials key file is not a key (64 hex digits expected): {path}</translation>
    </message>
    <message>
        <source>设备凭据无法解密：本机密钥不匹配 — 本机没有设备凭据密钥 {path}。请从已配置的席位复制该文件（权限 0600）后重启。</source>
        <translation>Device credentials cannot be decrypted: this seat&apos;s key does not match — there is no device-credentials key at {path}. Copy that file from a configured seat (mode 0600) and restart.</translation>
    </message>
    <message>
        <source>设备凭据密钥无法读取：{path}：{error}</source>
        <translation>The device-credentials key cannot be read: {path}: {error}</translation>
    </message>
    <message>
        <source>设备凭据无法解密：本机密钥不匹配 — 凭据由密钥 {stored} 加密，本机密钥 {local}（{path}）。请从已配置的席位复制密钥文件后重启。</source>
        <translation>Device credentials cannot be decrypted: this seat&apos;s key does not match — they were sealed with key {stored}, this seat has key {local} ({path}). Copy the key file from a configured seat and restart.</translation>
    </message>
    <message>
        <source>设备凭据无法解密：密文损坏或被改动（{reason}）</source>
        <translation>Device credentials cannot be decrypted: the sealed text is damaged or was changed ({reason})</translation>
    </message>
    <message>
        <source>无法创建设备凭据密钥 {path}：{error}</source>
        <translation>Cannot create the device-credentials key {path}: {error}</translation>
    </message>
</context>
<context>
    <name>DeviceEditorDialog</name>
    <message>
        <source>添加设备</source>
        <translation>Add device</translation>
    </message>
    <message>
        <source>编辑设备 {name}</source>
        <translation>Edit device {name}</translation>
    </message>
    <message>
        <source>设备</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>如 hall-matrix 或 大厅摄像机1</source>
        <translation>e.g. hall-matrix or hall-camera-1</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>协议</source>
        <translation>Protocol</translation>
    </message>
    <message>
        <source>串口路径或网络地址，例如 {examples}</source>
        <translation>Serial port or network address, e.g. {examples}</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>启用（保存后自动连接）</source>
        <translation>Enabled (connects once saved)</translation>
    </message>
    <message>
        <source>串口参数</source>
        <translation>Serial line</translation>
    </message>
    <message>
        <source>波特率</source>
        <translation>Baud rate</translation>
    </message>
    <message>
        <source>数据位</source>
        <translation>Data bits</translation>
    </message>
    <message>
        <source>无 (N)</source>
        <translation>None (N)</translation>
    </message>
    <message>
        <source>偶校验 (E)</source>
        <translation>Even (E)</translation>
    </message>
    <message>
        <source>奇校验 (O)</source>
        <translation>Odd (O)</translation>
    </message>
    <message>
        <source>标记 (M)</source>
        <translation>Mark (M)</translation>
    </message>
    <message>
        <source>空格 (S)</source>
        <translation>Space (S)</translation>
    </message>
    <message>
        <source>校验位</source>
        <translation>Parity</translation>
    </message>
    <message>
        <source>停止位</source>
        <translation>Stop bits</translation>
    </message>
    <message>
        <source>RS-485 半双工</source>
        <translation>RS-485 half duplex</translation>
    </message>
    <message>
        <source> 秒</source>
        <translation> s</translation>
    </message>
    <message>
        <source>应答超时</source>
        <translation>Reply timeout</translation>
    </message>
    <message>
        <source>云台摄像机地址；Kramer 2000 为机器号</source>
        <translation>PTZ camera address; the machine number for Kramer 2000</translation>
    </message>
    <message>
        <source>设备地址</source>
        <translation>Device address</translation>
    </message>
    <message>
        <source>端口与名称</source>
        <translation>Ports and names</translation>
    </message>
    <message>
        <source>自动（读取设备）</source>
        <translation>Auto (ask the device)</translation>
    </message>
    <message>
        <source>输入数</source>
        <translation>Inputs</translation>
    </message>
    <message>
        <source>输出数</source>
        <translation>Outputs</translation>
    </message>
    <message>
        <source>输入名称</source>
        <translation>Input names</translation>
    </message>
    <message>
        <source>输出名称</source>
        <translation>Output names</translation>
    </message>
    <message>
        <source>预置位/场景名称</source>
        <translation>Preset / scene names</translation>
    </message>
    <message>
        <source>视频</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>子码流地址</source>
        <translation>Sub-stream URL</translation>
    </message>
    <message>
        <source>控制此摄像机的云台设备名称（可空）</source>
        <translation>Name of the PTZ device that steers this camera (optional)</translation>
    </message>
    <message>
        <source>云台设备</source>
        <translation>PTZ device</translation>
    </message>
    <message>
        <source>接入的显示矩阵（空：唯一的矩阵）</source>
        <translation>Display matrix it feeds (empty: the only one)</translation>
    </message>
    <message>
        <source>显示矩阵</source>
        <translation>Display matrix</translation>
    </message>
    <message>
        <source>未接入</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <source>矩阵输入</source>
        <translation>Matrix input</translation>
    </message>
    <message>
        <source>经度</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <source>纬度</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <source>交换机 (AMI)</source>
        <translation>PBX (AMI)</translation>
    </message>
    <message>
        <source>manager.conf 中的用户名</source>
        <translation>the username in manager.conf</translation>
    </message>
    <message>
        <source>AMI 用户名</source>
        <translation>AMI username</translation>
    </message>
    <message>
        <source>AMI 密码</source>
        <translation>AMI secret</translation>
    </message>
    <message>
        <source>值班分机</source>
        <translation>Duty extension</translation>
    </message>
    <message>
        <source>拨号上下文</source>
        <translation>Dialplan context</translation>
    </message>
    <message>
        <source>拨号通道</source>
        <translation>Dial channel</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>每行一个“编号=名称”，如：
{example}</source>
        <translation>One “number=name” per line, e.g.:
{example}</translation>
    </message>
    <message>
        <source>不更改</source>
        <translation>unchanged</translation>
    </message>
    <message>
        <source>manager.conf 中的 secret</source>
        <translation>the secret in manager.conf</translation>
    </message>
    <message>
        <source>已保存的密码不显示；留空则保留原密码，输入新密码则替换。</source>
        <translation>The stored secret is never shown; leave empty to keep it, type a new one to replace it.</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>请先改正标红的字段，尚未保存。</source>
        <translation>Correct the fields marked in red first; nothing was saved.</translation>
    </message>
    <message>
        <source>保存失败：{reason}</source>
        <translation>Not saved: {reason}</translation>
    </message>
</context>
<context>
    <name>DeviceSettings</name>
    <message>
        <source>新增</source>
        <translation>Added</translation>
    </message>
    <message>
        <source>更新</source>
        <translation>Updated</translation>
    </message>
    <message>
        <source>未变</source>
        <translation>Unchanged</translation>
    </message>
    <message>
        <source>导入 {file}：新增 {added}，更新 {updated}，未变 {unchanged}，未导入 {bad}。</source>
        <translation>Imported {file}: {added} added, {updated} updated, {unchanged} unchanged, {bad} not imported.</translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>第 {index} 个 [[device]]（{name}）未导入：{reason}</source>
        <translation>[[device]] #{index} ({name}) not imported: {reason}</translation>
    </message>
    <message>
        <source>波特率应为整数，如 9600：{text}</source>
        <translation>The baud rate must be a whole number such as 9600: {text}</translation>
    </message>
    <message>
        <source>第 {line} 行应为“编号=名称”，如 1=大屏左：{text}</source>
        <translation>Line {line} must be “number=name”, e.g. 1=Wall left: {text}</translation>
    </message>
    <message>
        <source>第 {line} 行：编号应在 1–512：{n}</source>
        <translation>Line {line}: the number must be 1–512: {n}</translation>
    </message>
    <message>
        <source>第 {line} 行：编号 {n} 重复</source>
        <translation>Line {line}: number {n} appears twice</translation>
    </message>
    <message>
        <source>{label}：{names}</source>
        <translation>{label}: {names}</translation>
    </message>
    <message>
        <source>无法读取文件：{error}</source>
        <translation>Cannot read the file: {error}</translation>
    </message>
    <message>
        <source>无法写入文件：{error}</source>
        <translation>Cannot write the file: {error}</translation>
    </message>
    <message>
        <source>应为数字（度）：{text}</source>
        <translation>A number (degrees): {text}</translation>
    </message>
</context>
<context>
    <name>DeviceSettingsDialog</name>
    <message>
        <source>设备设置</source>
        <translation>Device settings</translation>
    </message>
    <message>
        <source>设备配置（管理员）</source>
        <translation>Device configuration (administrator)</translation>
    </message>
    <message>
        <source>显示矩阵与云台摄像机的连接设置，保存在数据库中，各席位共用；修改后设备按新设置自动重新连接。请仅由管理员修改。</source>
        <translation>How the display matrices and PTZ cameras are connected. Stored in the database and shared by every seat; after a change the devices reconnect with the new settings. Only the administrator should change these.</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>协议</source>
        <translation>Protocol</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>串口参数</source>
        <translation>Serial line</translation>
    </message>
    <message>
        <source>启用</source>
        <translation>Enable</translation>
    </message>
    <message>
        <source>尚未配置设备。点“添加”新建，或“导入 TOML…”从文件导入。</source>
        <translation>No devices configured. Click “Add” to create one, or “Import TOML…” to load them from a file.</translation>
    </message>
    <message>
        <source>添加…</source>
        <translation>Add…</translation>
    </message>
    <message>
        <source>编辑…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>再按一次确认删除</source>
        <translation>Press again to delete</translation>
    </message>
    <message>
        <source>停用</source>
        <translation>Disable</translation>
    </message>
    <message>
        <source>测试</source>
        <translation>Test</translation>
    </message>
    <message>
        <source>矩阵：读取路由状态；摄像机：发送停止命令</source>
        <translation>Matrix: read the routing; camera: send a stop</translation>
    </message>
    <message>
        <source>导入 TOML…</source>
        <translation>Import TOML…</translation>
    </message>
    <message>
        <source>导出 TOML…</source>
        <translation>Export TOML…</translation>
    </message>
    <message>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <source>凭据无法解密</source>
        <translation>Credentials unreadable</translation>
    </message>
    <message>
        <source>未运行</source>
        <translation>Not running</translation>
    </message>
    <message>
        <source>操作失败：{reason}</source>
        <translation>Failed: {reason}</translation>
    </message>
    <message>
        <source>已保存设备 {name}</source>
        <translation>Device {name} saved</translation>
    </message>
    <message>
        <source>已删除设备 {name}</source>
        <translation>Device {name} deleted</translation>
    </message>
    <message>
        <source>已启用设备 {name}</source>
        <translation>Device {name} enabled</translation>
    </message>
    <message>
        <source>已停用设备 {name}</source>
        <translation>Device {name} disabled</translation>
    </message>
    <message>
        <source>导入设备配置</source>
        <translation>Import device configuration</translation>
    </message>
    <message>
        <source>TOML 文件 (*.toml);;所有文件 (*)</source>
        <translation>TOML files (*.toml);;All files (*)</translation>
    </message>
    <message>
        <source>正在导入 {file}…</source>
        <translation>Importing {file}…</translation>
    </message>
    <message>
        <source>已导入 {file}</source>
        <translation>{file} imported</translation>
    </message>
    <message>
        <source>{file} 中有 {n} 个设备未导入，原因见下</source>
        <translation>{n} device(s) in {file} were not imported; the reasons are below</translation>
    </message>
    <message>
        <source>导出设备配置</source>
        <translation>Export device configuration</translation>
    </message>
    <message>
        <source>TOML 文件 (*.toml)</source>
        <translation>TOML files (*.toml)</translation>
    </message>
    <message>
        <source>已导出 {n} 台设备到 {path}</source>
        <translation>{n} device(s) exported to {path}</translation>
    </message>
    <message>
        <source>本机未运行设备，无法测试</source>
        <translation>This seat runs no devices; nothing to test with</translation>
    </message>
    <message>
        <source>设备 {name} 已停用，启用后才能测试</source>
        <translation>Device {name} is disabled; enable it to test it</translation>
    </message>
    <message>
        <source>正在测试 {name}…</source>
        <translation>Testing {name}…</translation>
    </message>
    <message>
        <source>已读取路由状态（{n} 路输出）</source>
        <translation>routing read back ({n} outputs)</translation>
    </message>
    <message>
        <source>已发送停止命令</source>
        <translation>stop command sent</translation>
    </message>
    <message>
        <source>测试成功：{name} {what}</source>
        <translation>Test passed: {name} {what}</translation>
    </message>
    <message>
        <source>测试失败：{name}：{reason}</source>
        <translation>Test failed: {name}: {reason}</translation>
    </message>
    <message>
        <source>最后错误：{error}</source>
        <translation>Last error: {error}</translation>
    </message>
</context>
<context>
    <name>DeviceViews</name>
    <message>
        <source>设备未运行（未配置或已停用）</source>
        <translation>Device not running (not configured or disabled)</translation>
    </message>
    <message>
        <source>设备已停用</source>
        <translation>Device disabled</translation>
    </message>
    <message>
        <source>设备离线，正在重连…</source>
        <translation>Device offline, reconnecting…</translation>
    </message>
    <message>
        <source>正在连接设备…</source>
        <translation>Connecting to the device…</translation>
    </message>
    <message>
        <source>最后错误：{error}（{time}）</source>
        <translation>Last error: {error} ({time})</translation>
    </message>
    <message>
        <source>未配置设备。请管理员添加显示矩阵或摄像机。</source>
        <translation>No devices configured. Ask the administrator to add a display matrix or a camera.</translation>
    </message>
    <message>
        <source>设备：</source>
        <translation>Device:</translation>
    </message>
    <message>
        <source>{name}（{kind}）</source>
        <translation>{name} ({kind})</translation>
    </message>
    <message>
        <source>画面在“视频”窗格中播放；状态由视频窗格检测</source>
        <translation>The picture plays in the Video pane; its state is what the video panes detect</translation>
    </message>
    <message>
        <source>电话线路：在“调度”窗格中拨打、群呼和接听</source>
        <translation>Phone line: calls, group calls and incoming calls are in the Dispatch pane</translation>
    </message>
    <message>
        <source>传真线路：在“传真”窗格中发送和查看传真</source>
        <translation>Fax line: send and read faxes in the Fax pane</translation>
    </message>
    <message>
        <source>已连接</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>正在连接</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <source>设备报错</source>
        <translation>Device error</translation>
    </message>
    <message>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>已停用</source>
        <translation>Disabled</translation>
    </message>
    <message>
        <source>视频</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>交换机</source>
        <translation>PBX</translation>
    </message>
    <message>
        <source>电话线</source>
        <translation>Phone line</translation>
    </message>
    <message>
        <source>传真</source>
        <translation>Fax</translation>
    </message>
    <message>
        <source>录音机</source>
        <translation>Recorder</translation>
    </message>
    <message>
        <source>矩阵</source>
        <translation>Matrix</translation>
    </message>
    <message>
        <source>摄像机</source>
        <translation>PTZ camera</translation>
    </message>
    <message>
        <source>设备</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>自</source>
        <translation>Since</translation>
    </message>
    <message>
        <source>设备状态</source>
        <translation>Device health</translation>
    </message>
    <message>
        <source>未配置设备</source>
        <translation>No devices configured</translation>
    </message>
    <message>
        <source>设备：未配置设备</source>
        <translation>Devices: none configured</translation>
    </message>
    <message>
        <source>设备状态（尚未配置任何设备）</source>
        <translation>Device health (no devices configured yet)</translation>
    </message>
    <message>
        <source>信息</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>最后错误</source>
        <translation>Last error</translation>
    </message>
    <message>
        <source>错误时间</source>
        <translation>Error time</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>左上</source>
        <translation>up-left</translation>
    </message>
    <message>
        <source>上</source>
        <translation>up</translation>
    </message>
    <message>
        <source>右上</source>
        <translation>up-right</translation>
    </message>
    <message>
        <source>左</source>
        <translation>left</translation>
    </message>
    <message>
        <source>右</source>
        <translation>right</translation>
    </message>
    <message>
        <source>左下</source>
        <translation>down-left</translation>
    </message>
    <message>
        <source>下</source>
        <translation>down</translation>
    </message>
    <message>
        <source>右下</source>
        <translation>down-right</translation>
    </message>
    <message>
        <source>放大</source>
        <translation>zoom in</translation>
    </message>
    <message>
        <source>缩小</source>
        <translation>zoom out</translation>
    </message>
    <message>
        <source>停</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>停止转动和变焦</source>
        <translation>Stop moving and zooming</translation>
    </message>
    <message>
        <source>放大（按住）</source>
        <translation>Zoom in (hold)</translation>
    </message>
    <message>
        <source>缩小（按住）</source>
        <translation>Zoom out (hold)</translation>
    </message>
    <message>
        <source>预置位：</source>
        <translation>Presets:</translation>
    </message>
    <message>
        <source>预置位 </source>
        <translation>Preset </translation>
    </message>
    <message>
        <source>转到</source>
        <translation>Go</translation>
    </message>
    <message>
        <source>设置…</source>
        <translation>Set…</translation>
    </message>
    <message>
        <source>把摄像机当前位置存为所选预置位</source>
        <translation>Store the camera&apos;s current position as the chosen preset</translation>
    </message>
    <message>
        <source>清除…</source>
        <translation>Clear…</translation>
    </message>
    <message>
        <source>预置位</source>
        <translation>Preset</translation>
    </message>
    <message>
        <source>变焦</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <source>未在转动</source>
        <translation>Not moving</translation>
    </message>
    <message>
        <source>预置位 {n}</source>
        <translation>Preset {n}</translation>
    </message>
    <message>
        <source>{speed} / 100</source>
        <translation>{speed} / 100</translation>
    </message>
    <message>
        <source>正在转到：{name}…</source>
        <translation>Going to {name}…</translation>
    </message>
    <message>
        <source>正在设置：{name}…</source>
        <translation>Setting {name}…</translation>
    </message>
    <message>
        <source>正在清除：{name}…</source>
        <translation>Clearing {name}…</translation>
    </message>
    <message>
        <source>把摄像机当前位置存为“{name}”？原有位置将被覆盖。</source>
        <translation>Store the camera&apos;s current position as “{name}”? The position stored there is overwritten.</translation>
    </message>
    <message>
        <source>清除“{name}”？</source>
        <translation>Clear “{name}”?</translation>
    </message>
    <message>
        <source>向{direction}转动</source>
        <translation>Move {direction}</translation>
    </message>
    <message>
        <source>变焦（{direction}）</source>
        <translation>Zoom ({direction})</translation>
    </message>
    <message>
        <source>正在向{direction}转动，速度 {speed}（松开即停）</source>
        <translation>Moving {direction} at speed {speed} (release to stop)</translation>
    </message>
    <message>
        <source>停止</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>停止变焦</source>
        <translation>Stop zoom</translation>
    </message>
    <message>
        <source>保持转动</source>
        <translation>Keep moving</translation>
    </message>
    <message>
        <source>转到{preset}</source>
        <translation>Go to {preset}</translation>
    </message>
    <message>
        <source>设置{preset}</source>
        <translation>Set {preset}</translation>
    </message>
    <message>
        <source>清除{preset}</source>
        <translation>Clear {preset}</translation>
    </message>
    <message>
        <source>{what}：完成</source>
        <translation>{what}: done</translation>
    </message>
    <message>
        <source>{what}：失败 — {reason}</source>
        <translation>{what}: failed — {reason}</translation>
    </message>
    <message>
        <source>转到预置位 {n}</source>
        <translation>Go to preset {n}</translation>
    </message>
    <message>
        <source>正在变焦：{direction}（松开即停）</source>
        <translation>Zooming: {direction} (release to stop)</translation>
    </message>
    <message>
        <source>单击格子（或方向键选中后按回车）把该输入切到该输出</source>
        <translation>Click a cell (or select it with the arrow keys and press Enter) to route that input to that output</translation>
    </message>
    <message>
        <source>行：输入（信号源）&#x3000;列：输出（大屏/显示器）</source>
        <translation>Rows: inputs (sources) · Columns: outputs (wall screens, monitors)</translation>
    </message>
    <message>
        <source>场景：</source>
        <translation>Scenes:</translation>
    </message>
    <message>
        <source>预设 </source>
        <translation>Preset </translation>
    </message>
    <message>
        <source>调用</source>
        <translation>Recall</translation>
    </message>
    <message>
        <source>存为预设…</source>
        <translation>Store as preset…</translation>
    </message>
    <message>
        <source>把当前布线存到所选预设号（会覆盖原有内容）</source>
        <translation>Store the current routing in the chosen preset (overwrites what it held)</translation>
    </message>
    <message>
        <source>存为预设</source>
        <translation>Store as preset</translation>
    </message>
    <message>
        <source>输入 {n}</source>
        <translation>Input {n}</translation>
    </message>
    <message>
        <source>输出 {n}</source>
        <translation>Output {n}</translation>
    </message>
    <message>
        <source>正在切换：{inp} → {out}…</source>
        <translation>Switching: {inp} → {out}…</translation>
    </message>
    <message>
        <source>正在调用场景：{name}…</source>
        <translation>Recalling scene {name}…</translation>
    </message>
    <message>
        <source>正在存储预设 {n}…</source>
        <translation>Storing preset {n}…</translation>
    </message>
    <message>
        <source>预设 {n}</source>
        <translation>Preset {n}</translation>
    </message>
    <message>
        <source>把当前布线存为“{name}”（预设 {n}）？原有内容将被覆盖。</source>
        <translation>Store the current routing as “{name}” (preset {n})? What it held is overwritten.</translation>
    </message>
    <message>
        <source>{inp} → {out}</source>
        <translation>{inp} → {out}</translation>
    </message>
    <message>
        <source>切换中…</source>
        <translation>switching…</translation>
    </message>
    <message>
        <source>一键调用场景（预设 {n}）</source>
        <translation>Recall this scene with one click (preset {n})</translation>
    </message>
    <message>
        <source>已切换：{inp} → {out}</source>
        <translation>Switched: {inp} → {out}</translation>
    </message>
    <message>
        <source>切换失败（{inp} → {out}）：{reason}</source>
        <translation>Switching failed ({inp} → {out}): {reason}</translation>
    </message>
    <message>
        <source>正在切换：{where}</source>
        <translation>Switching: {where}</translation>
    </message>
    <message>
        <source>已调用场景：{name}</source>
        <translation>Scene recalled: {name}</translation>
    </message>
    <message>
        <source>调用场景“{name}”失败：{reason}</source>
        <translation>Recalling scene “{name}” failed: {reason}</translation>
    </message>
    <message>
        <source>当前：{where}</source>
        <translation>Now: {where}</translation>
    </message>
    <message>
        <source>已存为预设 {n}</source>
        <translation>Stored as preset {n}</translation>
    </message>
    <message>
        <source>存储预设 {n} 失败：{reason}</source>
        <translation>Storing preset {n} failed: {reason}</translation>
    </message>
    <message>
        <source>切换失败：{where}</source>
        <translation>Switching failed: {where}</translation>
    </message>
    <message>
        <source>单击切换：{where}</source>
        <translation>Click to route: {where}</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <source>读取路由状态</source>
        <translation>read the routing</translation>
    </message>
    <message>
        <source>识别设备</source>
        <translation>identify the device</translation>
    </message>
    <message>
        <source>连接测试</source>
        <translation>connection test</translation>
    </message>
    <message>
        <source>云台停止</source>
        <translation>PTZ stop</translation>
    </message>
    <message>
        <source>停止变焦</source>
        <translation>stop zoom</translation>
    </message>
    <message>
        <source>拉近</source>
        <translation>zoom in</translation>
    </message>
    <message>
        <source>拉远</source>
        <translation>zoom out</translation>
    </message>
    <message>
        <source>没有 [[device]] 表 (no [[device]] tables)</source>
        <translation>no [[device]] tables</translation>
    </message>
    <message>
        <source>类型错误 (wrong type): 应为 {wanted}，实为 {value}</source>
        <translation>wrong type: expected {wanted}, got {value}</translation>
    </message>
    <message>
        <source>{inp} → 全部输出</source>
        <translation>{inp} → all outputs</translation>
    </message>
    <message>
        <source>调用场景 {n}</source>
        <translation>recall scene {n}</translation>
    </message>
    <message>
        <source>保存场景 {n}</source>
        <translation>store scene {n}</translation>
    </message>
    <message>
        <source>云台向{direction}转动，速度 {speed}</source>
        <translation>PTZ moving {direction}, speed {speed}</translation>
    </message>
    <message>
        <source>镜头{direction}</source>
        <translation>lens {direction}</translation>
    </message>
    <message>
        <source>转到预置位 {n}</source>
        <translation>go to preset {n}</translation>
    </message>
    <message>
        <source>设置预置位 {n}</source>
        <translation>set preset {n}</translation>
    </message>
    <message>
        <source>清除预置位 {n}</source>
        <translation>clear preset {n}</translation>
    </message>
    <message>
        <source>TOML 嵌套太深 (nested too deeply)</source>
        <translation>TOML nested too deeply</translation>
    </message>
    <message>
        <source>文件太大 (file too large): 最多 {n} 字节</source>
        <translation>file too large: at most {n} bytes</translation>
    </message>
    <message>
        <source>未知的顶层键 (unknown top-level keys): {keys}; 设备写作 [[device]]</source>
        <translation>unknown top-level keys: {keys}; devices are written as [[device]]</translation>
    </message>
    <message>
        <source>不是表 (not a table)</source>
        <translation>not a table</translation>
    </message>
    <message>
        <source>设备 {name!r} 不存在 (no such device)</source>
        <translation>no such device: {name!r}</translation>
    </message>
    <message>
        <source>无法保存设备凭据：{reason}</source>
        <translation>Cannot store the device credentials: {reason}</translation>
    </message>
    <message>
        <source>TOML 语法错误 (not TOML): {e}</source>
        <translation>not TOML: {e}</translation>
    </message>
    <message>
        <source>已有同名设备 (a device of this name exists): {name}</source>
        <translation>a device of this name exists: {name}</translation>
    </message>
    <message>
        <source>名称重复，与第 {n} 个相同 (duplicate name, as #{n})</source>
        <translation>duplicate name, as #{n}</translation>
    </message>
</context>
<context>
    <name>DialPad</name>
    <message>
        <source>输入号码后按 Enter 呼叫</source>
        <translation>Type a number, Enter calls</translation>
    </message>
    <message>
        <source>呼叫</source>
        <translation>Call</translation>
    </message>
    <message>
        <source>挂断</source>
        <translation>Hang up</translation>
    </message>
    <message>
        <source>电话线（调制解调器）挂机</source>
        <translation>Put the phone line (modem) on hook</translation>
    </message>
    <message>
        <source>号码格式不对：{n}</source>
        <translation>Not a phone number: {n}</translation>
    </message>
    <message>
        <source>正在呼叫 {n}…</source>
        <translation>Calling {n}…</translation>
    </message>
    <message>
        <source>{n}：{outcome}</source>
        <translation>{n}: {outcome}</translation>
    </message>
    <message>
        <source>（{reason}）</source>
        <translation> ({reason})</translation>
    </message>
    <message>
        <source>，已记入事件 #{id}</source>
        <translation>, recorded for incident #{id}</translation>
    </message>
    <message>
        <source>，已记入值班日志</source>
        <translation>, on the duty log</translation>
    </message>
    <message>
        <source>已挂机</source>
        <translation>On hook</translation>
    </message>
</context>
<context>
    <name>DispatchPane</name>
    <message>
        <source>记入所选事件</source>
        <translation>Record for selected incident</translation>
    </message>
    <message>
        <source>勾选后，从这里拨出的电话记入看板上所选事件的时间线</source>
        <translation>When ticked, calls placed here go on the timeline of the incident selected on the board</translation>
    </message>
    <message>
        <source>线路：</source>
        <translation>Line:</translation>
    </message>
    <message>
        <source>通讯录</source>
        <translation>Directory</translation>
    </message>
    <message>
        <source>群呼/点名</source>
        <translation>Group call/Roll-call</translation>
    </message>
    <message>
        <source>会议</source>
        <translation>Conference</translation>
    </message>
    <message>
        <source>拨号</source>
        <translation>Dial</translation>
    </message>
    <message>
        <source>通话记录</source>
        <translation>Call history</translation>
    </message>
    <message>
        <source>交换机</source>
        <translation>PBX</translation>
    </message>
    <message>
        <source>电话线</source>
        <translation>phone line</translation>
    </message>
    <message>
        <source>{name}（{kind}）</source>
        <translation>{name} ({kind})</translation>
    </message>
    <message>
        <source>未配置电话线路：请管理员在 文件 → 设备设置 中添加交换机或电话线。</source>
        <translation>No phone line configured: an administrator adds a PBX or a phone line under File → Device settings.</translation>
    </message>
    <message>
        <source>{name}：{state}</source>
        <translation>{name}: {state}</translation>
    </message>
    <message>
        <source>，正在重连</source>
        <translation>, reconnecting</translation>
    </message>
    <message>
        <source>（{error}）</source>
        <translation> ({error})</translation>
    </message>
    <message>
        <source>记入所选事件（未选）</source>
        <translation>Record for selected incident (none)</translation>
    </message>
    <message>
        <source>记入事件 #{id}</source>
        <translation>Record for incident #{id}</translation>
    </message>
</context>
<context>
    <name>Duty</name>
    <message>
        <source>接班人不能是交班人本人</source>
        <translation>The incoming officer cannot be the outgoing officer</translation>
    </message>
    <message>
        <source>结束时间应晚于开始时间</source>
        <translation>The end must be after the start</translation>
    </message>
    <message>
        <source>每班至少一名值班员</source>
        <translation>Each shift needs at least one duty officer</translation>
    </message>
    <message>
        <source>请填写办理情况</source>
        <translation>Please describe how it was handled</translation>
    </message>
    <message>
        <source>已有未完成的交接班</source>
        <translation>A handover is already in progress</translation>
    </message>
    <message>
        <source>交接班 #{id} 不存在</source>
        <translation>Handover #{id} does not exist</translation>
    </message>
    <message>
        <source>交接班 #{id} 已完成</source>
        <translation>Handover #{id} is already completed</translation>
    </message>
    <message>
        <source>批示 #{id} 不存在</source>
        <translation>Instruction #{id} does not exist</translation>
    </message>
    <message>
        <source>已有未完成的交接班 #{id}</source>
        <translation>Handover #{id} is still open</translation>
    </message>
    <message>
        <source>只有接班人 {who} 可以确认交接事项</source>
        <translation>Only the incoming officer {who} can acknowledge handover items</translation>
    </message>
    <message>
        <source>交接事项 #{id} 不存在</source>
        <translation>Handover item #{id} does not exist</translation>
    </message>
    <message>
        <source>只有接班人 {who} 可以完成交接</source>
        <translation>Only the incoming officer {who} can complete the handover</translation>
    </message>
    <message>
        <source>还有 {n} 项未确认，不能完成交接</source>
        <translation>{n} items are not acknowledged yet; the handover cannot be completed</translation>
    </message>
</context>
<context>
    <name>DutyLog</name>
    <message>
        <source>记录</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>提醒</source>
        <translation>Alert</translation>
    </message>
    <message>
        <source>系统</source>
        <translation>System</translation>
    </message>
    <message>
        <source>交接班</source>
        <translation>Handover</translation>
    </message>
    <message>
        <source>更正</source>
        <translation>Correction</translation>
    </message>
    <message>
        <source>传真</source>
        <translation>Fax</translation>
    </message>
    <message>
        <source>监测报警</source>
        <translation>Monitoring alarm</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>值班员</source>
        <translation>Officer</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>内容</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>已被日志 #{id} 更正</source>
        <translation>Corrected by log entry #{id}</translation>
    </message>
    <message>
        <source>更正日志 #{id}</source>
        <translation>Corrects log entry #{id}</translation>
    </message>
    <message>
        <source>[更正 #{id}] </source>
        <translation>[corrects #{id}] </translation>
    </message>
    <message>
        <source>值班日志 #{id} 不存在</source>
        <translation>Log entry #{id} does not exist</translation>
    </message>
    <message>
        <source>事件 #{id} 不存在</source>
        <translation>Incident #{id} does not exist</translation>
    </message>
</context>
<context>
    <name>DutyLogPane</name>
    <message>
        <source>搜索日志内容</source>
        <translation>Search the log</translation>
    </message>
    <message>
        <source>输入值班日志，Ctrl+Enter 记录</source>
        <translation>Type a log entry; Ctrl+Enter records it</translation>
    </message>
    <message>
        <source>关联当前事件</source>
        <translation>Link to current incident</translation>
    </message>
    <message>
        <source>记录</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>记录 (Ctrl+Enter)</source>
        <translation>Record (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>更正</source>
        <translation>Correct…</translation>
    </message>
    <message>
        <source>更正所选日志：写一条新日志指向原日志，原日志保留</source>
        <translation>Correct the selected entry: a new entry points at it and the original stays</translation>
    </message>
    <message>
        <source>取消更正</source>
        <translation>Cancel correction</translation>
    </message>
    <message>
        <source>共 {n} 条</source>
        <translation>{n} entries</translation>
    </message>
    <message>
        <source>没有包含“{text}”的日志</source>
        <translation>No log entry contains “{text}”</translation>
    </message>
    <message>
        <source>还没有值班日志：在下方输入，Ctrl+Enter 记录</source>
        <translation>No log entries yet: type one below, Ctrl+Enter records it</translation>
    </message>
    <message>
        <source>关联当前事件 #{id}</source>
        <translation>Link to current incident #{id}</translation>
    </message>
    <message>
        <source>更正日志 #{id}：写出正确内容后点“保存更正”</source>
        <translation>Correcting log entry #{id}: write the correct text, then click “Save correction”</translation>
    </message>
    <message>
        <source>保存更正</source>
        <translation>Save correction</translation>
    </message>
    <message>
        <source>请先输入日志内容</source>
        <translation>Type the log entry first</translation>
    </message>
    <message>
        <source>更正内容与原日志相同</source>
        <translation>The correction is the same as the original</translation>
    </message>
    <message>
        <source>已更正日志 #{id}</source>
        <translation>Log entry #{id} corrected</translation>
    </message>
    <message>
        <source>已记录</source>
        <translation>Recorded</translation>
    </message>
</context>
<context>
    <name>DutyStatusBar</name>
    <message>
        <source>当前班次：—</source>
        <translation>Shift: —</translation>
    </message>
    <message>
        <source>设备：未配置设备</source>
        <translation>Devices: none configured</translation>
    </message>
    <message>
        <source>设备状态（尚未配置任何设备）</source>
        <translation>Device health (no devices configured yet)</translation>
    </message>
    <message>
        <source>数据库：{name}</source>
        <translation>Database: {name}</translation>
    </message>
    <message>
        <source>审计：检查中…</source>
        <translation>Audit: checking…</translation>
    </message>
    <message>
        <source>审计链（防篡改）的完整性：启动时及每 24 小时完整检查一遍，其间每小时检查新增记录与记录总数；旧记录被改动最迟一天内发现</source>
        <translation>Integrity of the tamper-evident audit chain: the whole chain is checked at start-up and every 24 hours, the new records and the record count every hour in between; a changed old record is found within a day</translation>
    </message>
    <message>
        <source>审计 ✓</source>
        <translation>Audit ✓</translation>
    </message>
    <message>
        <source>审计链完整：{n} 条记录（检查于 {when}）</source>
        <translation>Audit chain intact: {n} records (checked {when})</translation>
    </message>
    <message>
        <source>审计链完整：{n} 条记录，本次检查新增 {new} 条及记录总数（检查于 {when}）</source>
        <translation>Audit chain intact: {n} records; this check read the {new} new ones and the count (checked {when})</translation>
    </message>
    <message>
        <source>审计链断开</source>
        <translation>Audit chain broken</translation>
    </message>
    <message>
        <source>{message}（检查于 {when}；请通知审计员，运行 duty-console audit verify）</source>
        <translation>{message} (checked {when}; tell the auditor and run duty-console audit verify)</translation>
    </message>
    <message>
        <source>审计：检查失败</source>
        <translation>Audit: check failed</translation>
    </message>
    <message>
        <source>北京时间 {now}</source>
        <translation>Beijing time {now}</translation>
    </message>
    <message>
        <source>当前班次：未排班</source>
        <translation>Shift: none on the roster</translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>值班员：{officers}&#x3000;带班领导：{leaders}</source>
        <translation>Officers: {officers} · Leader on duty: {leaders}</translation>
    </message>
    <message>
        <source>班次 {start} — {end}</source>
        <translation>Shift {start} — {end}</translation>
    </message>
    <message>
        <source>当前班次：读取失败</source>
        <translation>Shift: could not be read</translation>
    </message>
    <message>
        <source>报送提醒：已超时 {overdue} · 即将到期 {soon}</source>
        <translation>Reports: {overdue} overdue · {soon} due soon</translation>
    </message>
    <message>
        <source>报送提醒：无</source>
        <translation>Reports: no alerts</translation>
    </message>
    <message>
        <source>#{id} {title} — {stage} {state}，时限 {due}</source>
        <translation>#{id} {title} — {stage} {state}, due {due}</translation>
    </message>
</context>
<context>
    <name>Fax</name>
    <message>
        <source>未知号码</source>
        <translation>unknown number</translation>
    </message>
    <message>
        <source>排队中</source>
        <translation>Queued</translation>
    </message>
    <message>
        <source>发送中</source>
        <translation>Sending</translation>
    </message>
    <message>
        <source>等待重试</source>
        <translation>Retry pending</translation>
    </message>
    <message>
        <source>已发送</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>发送失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>重试间隔应为 0–86400 秒，逗号分隔</source>
        <translation>Retry waits must be 0–86400 seconds, separated by commas</translation>
    </message>
    <message>
        <source>只有发送失败的传真可以重发</source>
        <translation>Only a failed fax can be sent again</translation>
    </message>
    <message>
        <source>传真号码格式不对：{n!r}</source>
        <translation>Not a fax number: {n!r}</translation>
    </message>
    <message>
        <source>无法作为传真发送：{reason}</source>
        <translation>Cannot be sent as a fax: {reason}</translation>
    </message>
    <message>
        <source>传真 #{id} 不存在</source>
        <translation>Fax #{id} does not exist</translation>
    </message>
    <message>
        <source>传真 #{id} 已转为接报 #{intake}</source>
        <translation>Fax #{id} already became intake #{intake}</translation>
    </message>
    <message>
        <source>文件渲染超时（{s} 秒）</source>
        <translation>Rendering the file timed out ({s} s)</translation>
    </message>
    <message>
        <source>尝试次数应在 1–{n}：{v}</source>
        <translation>Attempts must be 1–{n}: {v}</translation>
    </message>
    <message>
        <source>事件 #{id} 不存在</source>
        <translation>Incident #{id} does not exist</translation>
    </message>
    <message>
        <source>联系人 #{id} 不存在</source>
        <translation>Contact #{id} does not exist</translation>
    </message>
    <message>
        <source>传真任务 #{id} 不存在</source>
        <translation>Fax job #{id} does not exist</translation>
    </message>
    <message>
        <source>传真任务 #{id} 不在发送中（{status}）</source>
        <translation>Fax job #{id} is not being sent ({status})</translation>
    </message>
    <message>
        <source>收到的传真无法解码：{e}</source>
        <translation>The received fax cannot be decoded: {e}</translation>
    </message>
</context>
<context>
    <name>FaxPane</name>
    <message>
        <source>收件箱</source>
        <translation>Inbox</translation>
    </message>
    <message>
        <source>发件队列</source>
        <translation>Outgoing</translation>
    </message>
</context>
<context>
    <name>Files</name>
    <message>
        <source>事件 #{id} 不存在</source>
        <translation>Incident #{id} does not exist</translation>
    </message>
    <message>
        <source>接报 #{id} 不存在</source>
        <translation>Report #{id} does not exist</translation>
    </message>
    <message>
        <source>附件须属于一个事件或一条接报</source>
        <translation>An attachment must belong to an incident or a report</translation>
    </message>
    <message>
        <source>文件 {sha} 不存在</source>
        <translation>File {sha} does not exist</translation>
    </message>
    <message>
        <source>附件类型不正确：{kind}</source>
        <translation>Unknown attachment kind: {kind}</translation>
    </message>
    <message>
        <source>附件标题不能为空，最多 {n} 字</source>
        <translation>An attachment needs a title of at most {n} characters</translation>
    </message>
</context>
<context>
    <name>Forms</name>
    <message>
        <source>内部错误：{msg}</source>
        <translation>Internal error: {msg}</translation>
    </message>
    <message>
        <source>数据库错误：{msg}</source>
        <translation>Database error: {msg}</translation>
    </message>
</context>
<context>
    <name>GroupDialog</name>
    <message>
        <source>编辑呼叫组</source>
        <translation>Edit call group</translation>
    </message>
    <message>
        <source>新建呼叫组</source>
        <translation>New call group</translation>
    </message>
    <message>
        <source>搜索联系人</source>
        <translation>Search contacts</translation>
    </message>
    <message>
        <source>加入 →</source>
        <translation>Add →</translation>
    </message>
    <message>
        <source>← 移出</source>
        <translation>← Remove</translation>
    </message>
    <message>
        <source>上移</source>
        <translation>Up</translation>
    </message>
    <message>
        <source>下移</source>
        <translation>Down</translation>
    </message>
    <message>
        <source>组名 *</source>
        <translation>Group name *</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>通讯录</source>
        <translation>Directory</translation>
    </message>
    <message>
        <source>成员（按呼叫顺序）</source>
        <translation>Members (in calling order)</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>GroupsTab</name>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>号码</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <source>新建组</source>
        <translation>New group</translation>
    </message>
    <message>
        <source>编辑组</source>
        <translation>Edit group</translation>
    </message>
    <message>
        <source>删除组</source>
        <translation>Delete group</translation>
    </message>
    <message>
        <source>再按一次删除</source>
        <translation>Press again to delete</translation>
    </message>
    <message>
        <source>群呼</source>
        <translation>Group call</translation>
    </message>
    <message>
        <source>同时呼叫全组成员</source>
        <translation>Call every member at once</translation>
    </message>
    <message>
        <source>点名</source>
        <translation>Roll-call</translation>
    </message>
    <message>
        <source>逐一呼叫成员，记录谁应答</source>
        <translation>Call the members one by one and record who answered</translation>
    </message>
    <message>
        <source>停止点名</source>
        <translation>Stop roll-call</translation>
    </message>
    <message>
        <source>{name}（{n} 人）</source>
        <translation>{name} ({n})</translation>
    </message>
    <message>
        <source>没有可用的交换机：群呼和点名需要交换机 (PBX)</source>
        <translation>No PBX available: group calls and roll-calls need a PBX</translation>
    </message>
    <message>
        <source>该组没有可拨打的成员</source>
        <translation>This group has no member to call</translation>
    </message>
    <message>
        <source>，结果记入事件 #{id}</source>
        <translation>, outcomes recorded for incident #{id}</translation>
    </message>
    <message>
        <source>{word}「{name}」：正在呼叫 {n} 人{where}…</source>
        <translation>{word} “{name}”: calling {n}{where}…</translation>
    </message>
    <message>
        <source>振铃中…</source>
        <translation>Ringing…</translation>
    </message>
    <message>
        <source>等待</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>（{reason}）</source>
        <translation> ({reason})</translation>
    </message>
    <message>
        <source>未拨打</source>
        <translation>Not dialled</translation>
    </message>
    <message>
        <source>，已记入事件 #{id} 时间线</source>
        <translation>, on the timeline of incident #{id}</translation>
    </message>
    <message>
        <source>，已记入值班日志</source>
        <translation>, on the duty log</translation>
    </message>
    <message>
        <source>完成：{n}/{total} 人接通{where}</source>
        <translation>Done: {n}/{total} answered{where}</translation>
    </message>
    <message>
        <source>已保存呼叫组：{name}</source>
        <translation>Call group saved: {name}</translation>
    </message>
    <message>
        <source>已删除呼叫组：{name}</source>
        <translation>Call group deleted: {name}</translation>
    </message>
    <message>
        <source>点名将在当前呼叫结束后停止</source>
        <translation>The roll-call stops after the current call</translation>
    </message>
</context>
<context>
    <name>HallConnectionBanner</name>
    <message>
        <source>数据库连接中断：尚未读到数据，连接恢复后自动显示</source>
        <translation>Database connection lost: no data read yet — shown as soon as the connection is back</translation>
    </message>
    <message>
        <source>数据库连接中断：画面停留在 {when}（最后一次成功刷新），连接恢复后自动更新</source>
        <translation>Database connection lost: this picture is from {when} (last good refresh) — it updates as soon as the connection is back</translation>
    </message>
</context>
<context>
    <name>HallDisplay</name>
    <message>
        <source>应急值守指挥台 · 指挥大厅</source>
        <translation>Duty Console · Command hall</translation>
    </message>
    <message>
        <source>【演示】</source>
        <translation>[DEMO] </translation>
    </message>
    <message>
        <source>应急值守 · 值班态势</source>
        <translation>Duty room · Situation</translation>
    </message>
    <message>
        <source>值班员：—&#x3000;带班领导：—</source>
        <translation>Officers: — · Leader on duty: —</translation>
    </message>
    <message>
        <source>{numeral}级</source>
        <translation>Grade {numeral}</translation>
    </message>
    <message>
        <source>未定级</source>
        <translation>Ungraded</translation>
    </message>
    <message>
        <source>报送超时</source>
        <translation>Reports overdue</translation>
    </message>
    <message>
        <source>今日事件</source>
        <translation>Incidents today</translation>
    </message>
    <message>
        <source>处置中事件</source>
        <translation>Active incidents</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Grade</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>地区</source>
        <translation>Area</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>下次报送</source>
        <translation>Next report</translation>
    </message>
    <message>
        <source>当前无处置中事件</source>
        <translation>No active incidents at present</translation>
    </message>
    <message>
        <source>最新值班日志</source>
        <translation>Latest duty-log entries</translation>
    </message>
    <message>
        <source>暂无值班日志</source>
        <translation>No duty-log entries yet</translation>
    </message>
    <message>
        <source>事件分布</source>
        <translation>Incident map</translation>
    </message>
    <message>
        <source>处置中</source>
        <translation>Responding</translation>
    </message>
    <message>
        <source>{y}年{m}月{d}日 {weekday}
北京时间</source>
        <translation>{weekday} {y}-{m}-{d}
Beijing time</translation>
    </message>
    <message>
        <source>星期一</source>
        <translation>Monday</translation>
    </message>
    <message>
        <source>星期二</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <source>星期三</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <source>星期四</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <source>星期五</source>
        <translation>Friday</translation>
    </message>
    <message>
        <source>星期六</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <source>星期日</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <source>当前未排班</source>
        <translation>No shift on the roster now</translation>
    </message>
    <message>
        <source>值班员：{officers}&#x3000;&#x3000;带班领导：{leaders}&#x3000;&#x3000;本班至 {until}</source>
        <translation>Officers: {officers}  ·  Leader on duty: {leaders}  ·  Shift ends {until}</translation>
    </message>
    <message>
        <source>处置中事件（{n}）</source>
        <translation>Active incidents ({n})</translation>
    </message>
    <message>
        <source>另有 {n} 起事件未显示</source>
        <translation>{n} more incidents not shown</translation>
    </message>
    <message>
        <source>数据更新于 {at}</source>
        <translation>Data as of {at}</translation>
    </message>
    <message>
        <source>数据库：{name}</source>
        <translation>Database: {name}</translation>
    </message>
    <message>
        <source>与数据库的实时连接中断，正在重连…</source>
        <translation>Live link to the database lost, reconnecting…</translation>
    </message>
    <message>
        <source>读取失败：{error}</source>
        <translation>Read failed: {error}</translation>
    </message>
    <message>
        <source>现场视频</source>
        <translation>Live video</translation>
    </message>
</context>
<context>
    <name>HandoverDialog</name>
    <message>
        <source>交接班</source>
        <translation>Handover</translation>
    </message>
    <message>
        <source>交班人</source>
        <translation>Outgoing officer</translation>
    </message>
    <message>
        <source>接班人</source>
        <translation>Incoming officer</translation>
    </message>
    <message>
        <source>需要当面交代的其他事项</source>
        <translation>Other matters to hand over in person</translation>
    </message>
    <message>
        <source>交接说明</source>
        <translation>Handover notes</translation>
    </message>
    <message>
        <source>开始交接</source>
        <translation>Start handover</translation>
    </message>
    <message>
        <source>开始后列出全部未结事件、待报送报告和待办批示；接班人须当面逐项确认，全部确认后才能完成交接。</source>
        <translation>Starting lists every open incident, owed report and pending instruction; the incoming officer acknowledges each in person, and the handover completes only when all are acknowledged.</translation>
    </message>
    <message>
        <source>接班人确认</source>
        <translation>Acknowledged by</translation>
    </message>
    <message>
        <source>交接事项</source>
        <translation>Handover items</translation>
    </message>
    <message>
        <source>确认</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <source>取消交接</source>
        <translation>Cancel handover</translation>
    </message>
    <message>
        <source>再按一次取消交接</source>
        <translation>Press again to cancel the handover</translation>
    </message>
    <message>
        <source>完成交接</source>
        <translation>Complete handover</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>关闭窗口；未完成的交接保留，可稍后继续</source>
        <translation>Close the window; an unfinished handover is kept and can be resumed</translation>
    </message>
    <message>
        <source>没有可选的接班人：请先在用户管理中添加值班员</source>
        <translation>No incoming officer to choose: add duty officers in user management first</translation>
    </message>
    <message>
        <source>交接班 #{id}：{out} → {inc}，开始于 {at}</source>
        <translation>Handover #{id}: {out} → {inc}, started {at}</translation>
    </message>
    <message>
        <source>交接说明：{notes}</source>
        <translation>Notes: {notes}</translation>
    </message>
    <message>
        <source>接班人 {who} 在此输入本人用户名后逐项确认</source>
        <translation>{who}: type your user name, then tick each item</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>待报送</source>
        <translation>Reports owed</translation>
    </message>
    <message>
        <source>待办批示</source>
        <translation>Pending instructions</translation>
    </message>
    <message>
        <source>没有未结事项</source>
        <translation>Nothing open</translation>
    </message>
    <message>
        <source>还有 {n} 项未确认</source>
        <translation>{n} items not acknowledged</translation>
    </message>
    <message>
        <source>全部 {n} 项已确认</source>
        <translation>All {n} items acknowledged</translation>
    </message>
    <message>
        <source>{who} {at}</source>
        <translation>{who} {at}</translation>
    </message>
    <message>
        <source>交接开始：共 {n} 项，请接班人逐项确认</source>
        <translation>Handover started: {n} items for the incoming officer to acknowledge</translation>
    </message>
    <message>
        <source>请接班人先在此输入本人用户名</source>
        <translation>Incoming officer: type your user name here first</translation>
    </message>
    <message>
        <source>{title} {n} 项</source>
        <translation>{title}: {n}</translation>
    </message>
    <message>
        <source>&lt;h3&gt;交接班完成&lt;/h3&gt;&lt;p&gt;交班人：{out}&lt;br&gt;接班人：{inc}&lt;br&gt;开始：{start}&lt;br&gt;完成：{end}&lt;/p&gt;&lt;p&gt;共 {n} 项，均已由接班人确认（{counts}）。&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Handover completed&lt;/h3&gt;&lt;p&gt;Outgoing: {out}&lt;br&gt;Incoming: {inc}&lt;br&gt;Started: {start}&lt;br&gt;Completed: {end}&lt;/p&gt;&lt;p&gt;{n} items, all acknowledged by the incoming officer ({counts}).&lt;/p&gt;</translation>
    </message>
    <message>
        <source>交接班记录已保存</source>
        <translation>Handover record saved</translation>
    </message>
    <message>
        <source>交接已取消</source>
        <translation>Handover cancelled</translation>
    </message>
    <message>
        <source>请改正标出的项</source>
        <translation>Please correct the marked fields</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <source>全部通话</source>
        <translation>All calls</translation>
    </message>
    <message>
        <source>未接来电</source>
        <translation>Missed calls</translation>
    </message>
    <message>
        <source>已接通</source>
        <translation>Answered</translation>
    </message>
    <message>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>方向</source>
        <translation>In/Out</translation>
    </message>
    <message>
        <source>号码</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>对方</source>
        <translation>Party</translation>
    </message>
    <message>
        <source>结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>更早的通话…</source>
        <translation>Earlier calls…</translation>
    </message>
    <message>
        <source>显示 {n} 条</source>
        <translation>{n} shown</translation>
    </message>
    <message>
        <source>来电</source>
        <translation>Incoming</translation>
    </message>
    <message>
        <source>呼出</source>
        <translation>Outgoing</translation>
    </message>
    <message>
        <source>进行中</source>
        <translation>In progress</translation>
    </message>
</context>
<context>
    <name>InboxTab</name>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>发送方</source>
        <translation>From</translation>
    </message>
    <message>
        <source>页数</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>线路</source>
        <translation>Line</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>更多…</source>
        <translation>More…</translation>
    </message>
    <message>
        <source>选择一份传真查看</source>
        <translation>Select a fax to view it</translation>
    </message>
    <message>
        <source>上一页</source>
        <translation>Previous page</translation>
    </message>
    <message>
        <source>下一页</source>
        <translation>Next page</translation>
    </message>
    <message>
        <source>转为接报</source>
        <translation>Make intake</translation>
    </message>
    <message>
        <source>打开 PDF</source>
        <translation>Open PDF</translation>
    </message>
    <message>
        <source>已转接报 #{id}</source>
        <translation>Intake #{id}</translation>
    </message>
    <message>
        <source>未读</source>
        <translation>Unread</translation>
    </message>
    <message>
        <source>已读</source>
        <translation>Read</translation>
    </message>
    <message>
        <source>第 {n}/{count} 页</source>
        <translation>Page {n}/{count}</translation>
    </message>
    <message>
        <source>已转为接报 #{id}：{title}</source>
        <translation>Made intake #{id}: {title}</translation>
    </message>
</context>
<context>
    <name>IncidentBoard</name>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>全部等级</source>
        <translation>All grades</translation>
    </message>
    <message>
        <source>{numeral}级</source>
        <translation>Grade {numeral}</translation>
    </message>
    <message>
        <source>未定级</source>
        <translation>Ungraded</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All categories</translation>
    </message>
    <message>
        <source>全部地区</source>
        <translation>All areas</translation>
    </message>
    <message>
        <source>今天</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>近3天</source>
        <translation>Last 3 days</translation>
    </message>
    <message>
        <source>近7天</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <source>近30天</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <source>全部时间</source>
        <translation>Any time</translation>
    </message>
    <message>
        <source>搜索标题、地址或编号</source>
        <translation>Search title, address or number</translation>
    </message>
    <message>
        <source>没有符合条件的事件</source>
        <translation>No incidents match</translation>
    </message>
    <message>
        <source>正在加载…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>共 {n} 起</source>
        <translation>{n} incidents</translation>
    </message>
    <message>
        <source>读取失败：{message}</source>
        <translation>Could not load: {message}</translation>
    </message>
    <message>
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>等级</source>
        <translation>Grade</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>地区</source>
        <translation>Area</translation>
    </message>
    <message>
        <source>发生时间</source>
        <translation>Occurred</translation>
    </message>
    <message>
        <source>责任人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>报送时限</source>
        <translation>Reports due</translation>
    </message>
    <message>
        <source>无报送要求</source>
        <translation>No reports required</translation>
    </message>
    <message>
        <source>【演练】</source>
        <translation>[EXERCISE] </translation>
    </message>
    <message>
        <source>已报齐</source>
        <translation>All sent</translation>
    </message>
    <message>
        <source>{report}：{due} {state}</source>
        <translation>{report}: {due} {state}</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>overdue</translation>
    </message>
</context>
<context>
    <name>IncidentDetail</name>
    <message>
        <source>在事件列表中选择一起事件</source>
        <translation>Select an incident on the board</translation>
    </message>
    <message>
        <source>责任人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>地区</source>
        <translation>Area</translation>
    </message>
    <message>
        <source>发生时间</source>
        <translation>Occurred</translation>
    </message>
    <message>
        <source>接报时间</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>伤亡</source>
        <translation>Casualties</translation>
    </message>
    <message>
        <source>对方已修改</source>
        <translation>Changed by someone else</translation>
    </message>
    <message>
        <source>载入对方的版本</source>
        <translation>Load their version</translation>
    </message>
    <message>
        <source>保留我的修改，继续编辑</source>
        <translation>Keep my change and go on editing</translation>
    </message>
    <message>
        <source>在对方的版本上保留您的选择；再按一次对应按钮才会保存</source>
        <translation>Keeps your choice on top of their version; it is saved only when you press its button again</translation>
    </message>
    <message>
        <source>报送</source>
        <translation>Report</translation>
    </message>
    <message>
        <source>时限（北京时间）</source>
        <translation>Due (Beijing time)</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>记录报送</source>
        <translation>Record report sent</translation>
    </message>
    <message>
        <source>生成报告单</source>
        <translation>Make report</translation>
    </message>
    <message>
        <source>按所选报送阶段生成突发事件信息报告（PDF），并附到本事件</source>
        <translation>Render the incident report form (PDF) for the chosen stage and attach it to this incident</translation>
    </message>
    <message>
        <source>传真报告单…</source>
        <translation>Fax report…</translation>
    </message>
    <message>
        <source>把刚生成的报告单作为传真发送</source>
        <translation>Send the report just made as a fax</translation>
    </message>
    <message>
        <source>报送时限</source>
        <translation>Reports due</translation>
    </message>
    <message>
        <source>未定级</source>
        <translation>Ungraded</translation>
    </message>
    <message>
        <source>定级</source>
        <translation>Grade</translation>
    </message>
    <message>
        <source>改状态</source>
        <translation>Change status</translation>
    </message>
    <message>
        <source>指定责任人</source>
        <translation>Assign owner</translation>
    </message>
    <message>
        <source>目标事件编号</source>
        <translation>Target incident no.</translation>
    </message>
    <message>
        <source>合并到…</source>
        <translation>Merge into…</translation>
    </message>
    <message>
        <source>把本事件作为重复事件并入另一起事件（两者历史都保留）</source>
        <translation>Merge this incident into another as a duplicate (both histories are kept)</translation>
    </message>
    <message>
        <source>处置</source>
        <translation>Actions</translation>
    </message>
    <message>
        <source>合并</source>
        <translation>Merge</translation>
    </message>
    <message>
        <source>时间线（北京时间）</source>
        <translation>Timeline (Beijing time)</translation>
    </message>
    <message>
        <source>通话录音…</source>
        <translation>Call recordings…</translation>
    </message>
    <message>
        <source>【演练】</source>
        <translation>[EXERCISE] </translation>
    </message>
    <message>
        <source>（已并入 #{id}）</source>
        <translation> (merged into #{id})</translation>
    </message>
    <message>
        <source>死亡 {d}，受伤 {i}，失踪 {m}，被困 {t}</source>
        <translation>{d} dead, {i} injured, {m} missing, {t} trapped</translation>
    </message>
    <message>
        <source>记录报送：{stage}</source>
        <translation>Record sent: {stage}</translation>
    </message>
    <message>
        <source>重新打开（{status}）</source>
        <translation>Reopen ({status})</translation>
    </message>
    <message>
        <source>系统</source>
        <translation>System</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>已定级：{grade}</source>
        <translation>Graded: {grade}</translation>
    </message>
    <message>
        <source>状态已改为：{status}</source>
        <translation>Status changed to: {status}</translation>
    </message>
    <message>
        <source>责任人已改为：{name}</source>
        <translation>Owner changed to: {name}</translation>
    </message>
    <message>
        <source>请输入要并入的目标事件编号</source>
        <translation>Enter the number of the incident to merge into</translation>
    </message>
    <message>
        <source>已并入事件 #{id}</source>
        <translation>Merged into incident #{id}</translation>
    </message>
    <message>
        <source>已记录报送：{stage}</source>
        <translation>Recorded as sent: {stage}</translation>
    </message>
    <message>
        <source>首报</source>
        <translation>First</translation>
    </message>
    <message>
        <source>续报</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>终报</source>
        <translation>Final</translation>
    </message>
    <message>
        <source>已生成报告单并附到事件：{title}</source>
        <translation>Report made and attached: {title}</translation>
    </message>
    <message>
        <source>报告单未生成：{error}</source>
        <translation>Report not made: {error}</translation>
    </message>
    <message>
        <source>正在生成报告单…</source>
        <translation>Making the report…</translation>
    </message>
    <message>
        <source>报告单已排入传真队列（#{id}）</source>
        <translation>Report queued as fax #{id}</translation>
    </message>
    <message>
        <source>您看到的（第 {v} 版）</source>
        <translation>What you saw (version {v})</translation>
    </message>
    <message>
        <source>对方的（第 {v} 版）</source>
        <translation>Theirs (version {v})</translation>
    </message>
    <message>
        <source>您的修改</source>
        <translation>Your change</translation>
    </message>
    <message>
        <source>对方已修改：{who} 于 {at} 保存了新版本，您的修改未保存。</source>
        <translation>Changed by someone else: {who} saved a newer version at {at}; your change was not saved.</translation>
    </message>
    <message>
        <source>其他席位</source>
        <translation>another seat</translation>
    </message>
    <message>
        <source>已载入对方的版本</source>
        <translation>Their version is loaded</translation>
    </message>
    <message>
        <source>已保留您的选择（基于对方的新版本），确认后再按一次保存</source>
        <translation>Your choice is kept (on top of their newer version); press the button again to save it</translation>
    </message>
</context>
<context>
    <name>Incidents</name>
    <message>
        <source>未定级</source>
        <translation>Ungraded</translation>
    </message>
    <message>
        <source>接报</source>
        <translation>Reported</translation>
    </message>
    <message>
        <source>核实</source>
        <translation>Verifying</translation>
    </message>
    <message>
        <source>处置中</source>
        <translation>Responding</translation>
    </message>
    <message>
        <source>已结束</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>Ⅰ级 特别重大</source>
        <translation>Grade Ⅰ (extraordinarily serious)</translation>
    </message>
    <message>
        <source>Ⅱ级 重大</source>
        <translation>Grade Ⅱ (serious)</translation>
    </message>
    <message>
        <source>Ⅲ级 较大</source>
        <translation>Grade Ⅲ (relatively serious)</translation>
    </message>
    <message>
        <source>Ⅳ级 一般</source>
        <translation>Grade Ⅳ (ordinary)</translation>
    </message>
    <message>
        <source>已合并的事件不能再改状态</source>
        <translation>A merged incident cannot change status</translation>
    </message>
    <message>
        <source>不能与自身合并</source>
        <translation>An incident cannot be merged with itself</translation>
    </message>
    <message>
        <source>未知的事件类别 {code}</source>
        <translation>Unknown incident category {code}</translation>
    </message>
    <message>
        <source>未知的事件子类 {code}</source>
        <translation>Unknown incident subcategory {code}</translation>
    </message>
    <message>
        <source>事件 #{id} 不存在</source>
        <translation>Incident #{id} does not exist</translation>
    </message>
    <message>
        <source>事件 #{id} 已被他人修改（版本 {theirs}，您看到的是 {mine}），请刷新后再改</source>
        <translation>Incident #{id} was changed by someone else (version {theirs}, you saw {mine}); refresh and try again</translation>
    </message>
    <message>
        <source>事件 #{id} 已被他人修改，请刷新后再改</source>
        <translation>Incident #{id} was changed by someone else; refresh and try again</translation>
    </message>
    <message>
        <source>不能从“{old}”改为“{new}”</source>
        <translation>Cannot change from “{old}” to “{new}”</translation>
    </message>
    <message>
        <source>事件 #{id} 已合并过</source>
        <translation>Incident #{id} is already merged</translation>
    </message>
    <message>
        <source>目标事件 #{id} 本身已被合并</source>
        <translation>Target incident #{id} is itself merged</translation>
    </message>
</context>
<context>
    <name>IncomingCallPopup</name>
    <message>
        <source>来电</source>
        <translation>Incoming call</translation>
    </message>
    <message>
        <source>正在查询来电历史…</source>
        <translation>Looking up the caller&apos;s history…</translation>
    </message>
    <message>
        <source>接报 (Enter)</source>
        <translation>Take report (Enter)</translation>
    </message>
    <message>
        <source>忽略 (Esc)</source>
        <translation>Ignore (Esc)</translation>
    </message>
    <message>
        <source>未显示号码（{why}）</source>
        <translation>Number withheld ({why})</translation>
    </message>
    <message>
        <source>未显示号码</source>
        <translation>Number withheld</translation>
    </message>
    <message>
        <source>已接听</source>
        <translation>answered</translation>
    </message>
    <message>
        <source>振铃中</source>
        <translation>ringing</translation>
    </message>
    <message>
        <source>来电 · {state} · {where} · {at}</source>
        <translation>Incoming call · {state} · {where} · {at}</translation>
    </message>
    <message>
        <source>呼出</source>
        <translation>Outgoing</translation>
    </message>
    <message>
        <source>事件 #{id} {title}（{at}）</source>
        <translation>Incident #{id} {title} ({at})</translation>
    </message>
    <message>
        <source>无来电历史</source>
        <translation>No earlier calls</translation>
    </message>
    <message>
        <source>来电历史：通话 {calls} 次，相关事件 {incidents} 起</source>
        <translation>History: {calls} calls, {incidents} incidents</translation>
    </message>
    <message>
        <source>{name}（线路提供，不在通讯录）</source>
        <translation>{name} (from the line; not in the directory)</translation>
    </message>
    <message>
        <source>不在通讯录</source>
        <translation>Not in the directory</translation>
    </message>
</context>
<context>
    <name>IncomingCalls</name>
    <message>
        <source>未显示号码，无法查询历史</source>
        <translation>Number withheld: no history to look up</translation>
    </message>
    <message>
        <source>来电历史查询失败：{e}</source>
        <translation>Could not read the caller&apos;s history: {e}</translation>
    </message>
</context>
<context>
    <name>Intake</name>
    <message>
        <source>请填写报告人或报告单位</source>
        <translation>Enter the reporter or the reporting unit</translation>
    </message>
    <message>
        <source>未知的事件类别 {code}</source>
        <translation>Unknown incident category {code}</translation>
    </message>
    <message>
        <source>接报记录 #{id} 不存在</source>
        <translation>Intake #{id} does not exist</translation>
    </message>
    <message>
        <source>接报记录 #{id} 已处理</source>
        <translation>Intake #{id} was already handled</translation>
    </message>
    <message>
        <source>事件 #{id} 不存在</source>
        <translation>Incident #{id} does not exist</translation>
    </message>
</context>
<context>
    <name>IntakeForm</name>
    <message>
        <source>来报</source>
        <translation>Report</translation>
    </message>
    <message>
        <source>来报方式</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>报告单位</source>
        <translation>Reporting unit</translation>
    </message>
    <message>
        <source>报告人</source>
        <translation>Reporter</translation>
    </message>
    <message>
        <source>职务</source>
        <translation>Post</translation>
    </message>
    <message>
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>事件标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>初判等级</source>
        <translation>Initial grade</translation>
    </message>
    <message>
        <source>北京时间</source>
        <translation>Beijing time</translation>
    </message>
    <message>
        <source>现在</source>
        <translation>Now</translation>
    </message>
    <message>
        <source>发生时间设为现在 (Ctrl+T)</source>
        <translation>Set the time of occurrence to now (Ctrl+T)</translation>
    </message>
    <message>
        <source>发生时间</source>
        <translation>Occurred</translation>
    </message>
    <message>
        <source>地点</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>行政区划</source>
        <translation>Division</translation>
    </message>
    <message>
        <source>乡镇、村、路名、门牌或地标</source>
        <translation>Township, village, street, number or landmark</translation>
    </message>
    <message>
        <source>经度，如 125.32</source>
        <translation>Longitude, e.g. 125.32</translation>
    </message>
    <message>
        <source>纬度，如 43.82</source>
        <translation>Latitude, e.g. 43.82</translation>
    </message>
    <message>
        <source>在地图上选点</source>
        <translation>Pick on map</translation>
    </message>
    <message>
        <source>在地图上单击事件位置，自动填写经纬度和行政区划</source>
        <translation>Click the incident&apos;s location on the map to fill in the coordinates and the division</translation>
    </message>
    <message>
        <source>≈ 区划代表点，非精确位置</source>
        <translation>≈ representative point of the division, not the exact place</translation>
    </message>
    <message>
        <source>经度/纬度</source>
        <translation>Lon/Lat</translation>
    </message>
    <message>
        <source>情况</source>
        <translation>Situation</translation>
    </message>
    <message>
        <source>事件经过</source>
        <translation>Course of events</translation>
    </message>
    <message>
        <source>死亡</source>
        <translation>Dead</translation>
    </message>
    <message>
        <source>受伤</source>
        <translation>Injured</translation>
    </message>
    <message>
        <source>失踪</source>
        <translation>Missing</translation>
    </message>
    <message>
        <source>被困</source>
        <translation>Trapped</translation>
    </message>
    <message>
        <source>人员伤亡</source>
        <translation>Casualties</translation>
    </message>
    <message>
        <source>财产损失</source>
        <translation>Losses</translation>
    </message>
    <message>
        <source>已采取措施</source>
        <translation>Measures taken</translation>
    </message>
    <message>
        <source>发展趋势</source>
        <translation>Trend</translation>
    </message>
    <message>
        <source>已通报单位</source>
        <translation>Units notified</translation>
    </message>
    <message>
        <source>批示</source>
        <translation>Leadership</translation>
    </message>
    <message>
        <source>领导批示</source>
        <translation>Instructions</translation>
    </message>
    <message>
        <source>办理情况</source>
        <translation>Handling</translation>
    </message>
    <message>
        <source>* 保存必填；◆ 立案还需填写</source>
        <translation>* needed to save; ◆ also needed to open an incident</translation>
    </message>
    <message>
        <source>保存接报</source>
        <translation>Save report</translation>
    </message>
    <message>
        <source>立案</source>
        <translation>Open incident</translation>
    </message>
    <message>
        <source>并入所选事件</source>
        <translation>Attach to selected incident</translation>
    </message>
    <message>
        <source>清空/新建</source>
        <translation>Clear/New</translation>
    </message>
    <message>
        <source>可能重复：</source>
        <translation>Possible duplicates:</translation>
    </message>
    <message>
        <source>再按一次清空</source>
        <translation>Press again to clear</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>传真</source>
        <translation>Fax</translation>
    </message>
    <message>
        <source>下级报送</source>
        <translation>Subordinate report</translation>
    </message>
    <message>
        <source>监测报警</source>
        <translation>Monitoring alarm</translation>
    </message>
    <message>
        <source>来访</source>
        <translation>Walk-in</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>（请选择）</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <source>（市州）</source>
        <translation>(prefecture)</translation>
    </message>
    <message>
        <source>无法读取类别和行政区划：{msg}</source>
        <translation>Cannot read categories and divisions: {msg}</translation>
    </message>
    <message>
        <source>（县市区）</source>
        <translation>(county)</translation>
    </message>
    <message>
        <source>经度</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <source>纬度</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <source>{what}应为数字，如 125.32</source>
        <translation>{what} must be a number, e.g. 125.32</translation>
    </message>
    <message>
        <source>立案需选择事件类别</source>
        <translation>Choose a category to open an incident</translation>
    </message>
    <message>
        <source>立案需选择行政区划</source>
        <translation>Choose a division to open an incident</translation>
    </message>
    <message>
        <source>请先在“可能重复”中选择一个事件</source>
        <translation>Choose an incident under “Possible duplicates” first</translation>
    </message>
    <message>
        <source>未保存：请改正标出的 {n} 项</source>
        <translation>Not saved: correct the {n} marked fields</translation>
    </message>
    <message>
        <source>已更正 接报 #{id}</source>
        <translation>Intake #{id} corrected</translation>
    </message>
    <message>
        <source>已保存 接报 #{id}</source>
        <translation>Saved intake #{id}</translation>
    </message>
    <message>
        <source>已立案 事件 #{incident}（接报 #{intake}），责任人 {owner}</source>
        <translation>Opened incident #{incident} (intake #{intake}), owner {owner}</translation>
    </message>
    <message>
        <source>接报 #{intake} 已并入 事件 #{incident}「{title}」</source>
        <translation>Intake #{intake} attached to incident #{incident} “{title}”</translation>
    </message>
    <message>
        <source>未保存：</source>
        <translation>Not saved: </translation>
    </message>
    <message>
        <source>级</source>
        <translation> grade</translation>
    </message>
    <message>
        <source>未定级</source>
        <translation>Ungraded</translation>
    </message>
    <message>
        <source>可能重复（{n}）：</source>
        <translation>Possible duplicates ({n}):</translation>
    </message>
    <message>
        <source>可能重复：无</source>
        <translation>Possible duplicates: none</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>接报 #{id} · 接报时间 {at} · 记录人 {who}</source>
        <translation>Intake #{id} · received {at} · recorded by {who}</translation>
    </message>
    <message>
        <source>新接报 · 接报时间 {at} · 记录人 {who}</source>
        <translation>New report · received {at} · recorded by {who}</translation>
    </message>
    <message>
        <source>新接报 · 记录人 {who}</source>
        <translation>New report · recorded by {who}</translation>
    </message>
</context>
<context>
    <name>LockOverlay</name>
    <message>
        <source>屏幕已锁定</source>
        <translation>Screen locked</translation>
    </message>
    <message>
        <source>{name}（{user}）输入密码解锁</source>
        <translation>{name} ({user}): enter your password to unlock</translation>
    </message>
    <message>
        <source>解锁</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>退出程序</source>
        <translation>Quit the program</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>登录 — 应急值守指挥台</source>
        <translation>Log in — Duty Console</translation>
    </message>
    <message>
        <source>请输入账号和密码</source>
        <translation>Enter your user name and password</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>应急值守指挥台 — {name}</source>
        <translation>Duty Console — {name}</translation>
    </message>
    <message>
        <source>【演示】</source>
        <translation>[DEMO] </translation>
    </message>
    <message>
        <source>【演练】</source>
        <translation>[EXERCISE] </translation>
    </message>
    <message>
        <source>接报</source>
        <translation>Intake</translation>
    </message>
    <message>
        <source>事件详情</source>
        <translation>Incident detail</translation>
    </message>
    <message>
        <source>值班日志</source>
        <translation>Duty log</translation>
    </message>
    <message>
        <source>传真</source>
        <translation>Fax</translation>
    </message>
    <message>
        <source>地图</source>
        <translation>Map</translation>
    </message>
    <message>
        <source>视频</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>监测</source>
        <translation>Monitoring</translation>
    </message>
    <message>
        <source>预警</source>
        <translation>Warnings</translation>
    </message>
    <message>
        <source>设备</source>
        <translation>Devices</translation>
    </message>
    <message>
        <source>调度</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <source>文件(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>设备设置…</source>
        <translation>Device settings…</translation>
    </message>
    <message>
        <source>退出(&amp;X)</source>
        <translation>E&amp;xit</translation>
    </message>
    <message>
        <source>值班(&amp;D)</source>
        <translation>&amp;Duty</translation>
    </message>
    <message>
        <source>新建接报</source>
        <translation>New report</translation>
    </message>
    <message>
        <source>交接班…</source>
        <translation>Handover…</translation>
    </message>
    <message>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>查找事件</source>
        <translation>Find incident</translation>
    </message>
    <message>
        <source>数据(&amp;A)</source>
        <translation>&amp;Data</translation>
    </message>
    <message>
        <source>基础信息库…</source>
        <translation>Basic information…</translation>
    </message>
    <message>
        <source>视图(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>恢复默认布局</source>
        <translation>Restore default layout</translation>
    </message>
    <message>
        <source>大屏显示</source>
        <translation>Hall display</translation>
    </message>
    <message>
        <source>通话录音…</source>
        <translation>Call recordings…</translation>
    </message>
    <message>
        <source>语言(&amp;L)</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <source>交接班已完成</source>
        <translation>Handover completed</translation>
    </message>
    <message>
        <source>在屏幕 {n} 上显示（{name}，{w}×{h}）</source>
        <translation>Show on screen {n} ({name}, {w}×{h})</translation>
    </message>
    <message>
        <source>界面语言将在重新启动后切换为 {name}</source>
        <translation>The interface switches to {name} after a restart</translation>
    </message>
    <message>
        <source>关于应急值守指挥台</source>
        <translation>About Duty Console</translation>
    </message>
    <message>
        <source>应急值守指挥台 Duty Console

统一接报、事件跟踪、信息报送时限、值班日志与交接班。
数据库：{url}</source>
        <translation>Duty Console (应急值守指挥台)

Unified intake, incident tracking, reporting deadlines, duty log and handover.
Database: {url}</translation>
    </message>
    <message>
        <source>接报记录已保存</source>
        <translation>Report saved</translation>
    </message>
    <message>
        <source>操作失败：{message}</source>
        <translation>Failed: {message}</translation>
    </message>
    <message>
        <source>自动备份失败：{message}</source>
        <translation>Scheduled backup failed: {message}</translation>
    </message>
</context>
<context>
    <name>MapBridge</name>
    <message>
        <source>事件等级</source>
        <translation>Incident grade</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <source>行政区划底图</source>
        <translation>Administrative basemap</translation>
    </message>
    <message>
        <source>仅显示最新 {shown} 起，另有 {omitted} 起未显示</source>
        <translation>Showing the newest {shown}; {omitted} more not shown</translation>
    </message>
    <message>
        <source>位置为所在行政区的代表点</source>
        <translation>Placed at its division&apos;s representative point</translation>
    </message>
    <message>
        <source>边界仅供参考</source>
        <translation>Boundaries for orientation only</translation>
    </message>
    <message>
        <source>附近资源</source>
        <translation>Nearby resources</translation>
    </message>
    <message>
        <source>呼叫</source>
        <translation>Call</translation>
    </message>
    <message>
        <source>查看画面</source>
        <translation>Show video</translation>
    </message>
    <message>
        <source>容量</source>
        <translation>Capacity</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>点击地图选择事件位置（Esc 取消）</source>
        <translation>Click the map to set the incident&apos;s location (Esc cancels)</translation>
    </message>
    <message>
        <source>单击添加测量点，双击或 Esc 结束</source>
        <translation>Click to add measuring points; double-click or Esc to finish</translation>
    </message>
    <message>
        <source>公里</source>
        <translation>km</translation>
    </message>
    <message>
        <source>预警</source>
        <translation>Warnings</translation>
    </message>
    <message>
        <source>预警级别</source>
        <translation>Warning level</translation>
    </message>
    <message>
        <source>一级（红色）</source>
        <translation>Level I (red)</translation>
    </message>
    <message>
        <source>二级（橙色）</source>
        <translation>Level II (orange)</translation>
    </message>
    <message>
        <source>三级（黄色）</source>
        <translation>Level III (yellow)</translation>
    </message>
    <message>
        <source>四级（蓝色）</source>
        <translation>Level IV (blue)</translation>
    </message>
    <message>
        <source>演习（虚线边框）</source>
        <translation>Exercise (dashed border)</translation>
    </message>
    <message>
        <source>有效期</source>
        <translation>Valid</translation>
    </message>
    <message>
        <source>发布单位</source>
        <translation>Sender</translation>
    </message>
    <message>
        <source>米</source>
        <translation>m</translation>
    </message>
    <message>
        <source>：</source>
        <translation>: </translation>
    </message>
    <message>
        <source>队</source>
        <translation>R</translation>
    </message>
    <message>
        <source>储</source>
        <translation>D</translation>
    </message>
    <message>
        <source>避</source>
        <translation>S</translation>
    </message>
    <message>
        <source>医</source>
        <translation>H</translation>
    </message>
    <message>
        <source>危</source>
        <translation>!</translation>
    </message>
    <message>
        <source>护</source>
        <translation>P</translation>
    </message>
    <message>
        <source>摄</source>
        <translation>C</translation>
    </message>
    <message>
        <source>测</source>
        <translation>M</translation>
    </message>
</context>
<context>
    <name>MapData</name>
    <message>
        <source>救援队伍</source>
        <translation>Rescue teams</translation>
    </message>
    <message>
        <source>物资仓库</source>
        <translation>Supply depots</translation>
    </message>
    <message>
        <source>避难场所</source>
        <translation>Shelters</translation>
    </message>
    <message>
        <source>医院</source>
        <translation>Hospitals</translation>
    </message>
    <message>
        <source>危险源</source>
        <translation>Hazard sources</translation>
    </message>
    <message>
        <source>防护目标</source>
        <translation>Protection targets</translation>
    </message>
    <message>
        <source>摄像机</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>监测站</source>
        <translation>Monitoring stations</translation>
    </message>
    <message>
        <source>WGS-84（原样使用）</source>
        <translation>WGS-84 (used as is)</translation>
    </message>
    <message>
        <source>CGCS2000（原样使用）</source>
        <translation>CGCS2000 (used as is)</translation>
    </message>
    <message>
        <source>GCJ-02（转换为 WGS-84）</source>
        <translation>GCJ-02 (converted to WGS-84)</translation>
    </message>
    <message>
        <source>请填写图层名称</source>
        <translation>Enter a layer name</translation>
    </message>
    <message>
        <source>图层类型应为 GeoJSON、MBTiles 或 PMTiles</source>
        <translation>The layer must be GeoJSON, MBTiles or PMTiles</translation>
    </message>
    <message>
        <source>坐标系应为 WGS-84、CGCS2000 或 GCJ-02</source>
        <translation>The coordinate system must be WGS-84, CGCS2000 or GCJ-02</translation>
    </message>
    <message>
        <source>图层标识无效</source>
        <translation>Invalid layer id</translation>
    </message>
    <message>
        <source>找不到文件：{path}</source>
        <translation>File not found: {path}</translation>
    </message>
    <message>
        <source>不是有效的 GeoJSON：顶层应为对象</source>
        <translation>Not valid GeoJSON: the top level must be an object</translation>
    </message>
    <message>
        <source>不是有效的 GeoJSON：缺少要素</source>
        <translation>Not valid GeoJSON: no features</translation>
    </message>
    <message>
        <source>文件过大（超过 50 MB）：{path}</source>
        <translation>File too large (over 50 MB): {path}</translation>
    </message>
    <message>
        <source>无法读取文件：{error}</source>
        <translation>Cannot read the file: {error}</translation>
    </message>
    <message>
        <source>不是有效的 GeoJSON：{error}</source>
        <translation>Not valid GeoJSON: {error}</translation>
    </message>
</context>
<context>
    <name>MapPane</name>
    <message>
        <source>搜索地名、行政区划代码或资源名称</source>
        <translation>Search a place, division code or resource name</translation>
    </message>
    <message>
        <source>地图搜索</source>
        <translation>Map search</translation>
    </message>
    <message>
        <source>测距</source>
        <translation>Measure</translation>
    </message>
    <message>
        <source>在地图上单击添加测量点，双击或 Esc 结束</source>
        <translation>Click points on the map to measure; double-click or Esc to finish</translation>
    </message>
    <message>
        <source>导出图片</source>
        <translation>Export image</translation>
    </message>
    <message>
        <source>把当前地图视图保存为 PNG 图片</source>
        <translation>Save the current map view as a PNG image</translation>
    </message>
    <message>
        <source>事件附近资源</source>
        <translation>Near incident</translation>
    </message>
    <message>
        <source>列出详情中事件附近的资源、避难场所、危险源和摄像机，按距离排序</source>
        <translation>List the resources, shelters, hazard sources and cameras near the incident shown in the details, nearest first</translation>
    </message>
    <message>
        <source>图层设置…</source>
        <translation>Layers…</translation>
    </message>
    <message>
        <source>添加自己的 GeoJSON 图层和 MBTiles/PMTiles 底图</source>
        <translation>Add your own GeoJSON layers and MBTiles/PMTiles basemaps</translation>
    </message>
    <message>
        <source>图层无法显示：{names}</source>
        <translation>Layers not shown: {names}</translation>
    </message>
    <message>
        <source>点击地图选择事件位置（Esc 取消）</source>
        <translation>Click the map to set the incident&apos;s location (Esc cancels)</translation>
    </message>
    <message>
        <source>所选位置不在吉林省内</source>
        <translation>The chosen point is outside Jilin province</translation>
    </message>
    <message>
        <source>附近资源</source>
        <translation>Nearby resources</translation>
    </message>
    <message>
        <source>该事件没有位置，无法查找附近资源</source>
        <translation>This incident has no location; nearby resources cannot be found</translation>
    </message>
    <message>
        <source>附近资源 · {title}</source>
        <translation>Nearby resources · {title}</translation>
    </message>
    <message>
        <source>请先在事件列表中选择一个事件</source>
        <translation>Select an incident on the board first</translation>
    </message>
    <message>
        <source>没有找到“{text}”</source>
        <translation>Nothing found for “{text}”</translation>
    </message>
    <message>
        <source>单击添加测量点，双击或 Esc 结束</source>
        <translation>Click to add measuring points; double-click or Esc to finish</translation>
    </message>
    <message>
        <source>测量距离：{d}</source>
        <translation>Measured distance: {d}</translation>
    </message>
    <message>
        <source>米</source>
        <translation>m</translation>
    </message>
    <message>
        <source>公里</source>
        <translation>km</translation>
    </message>
    <message>
        <source>导出地图图片</source>
        <translation>Export map image</translation>
    </message>
    <message>
        <source>地图-{stamp}.png</source>
        <translation>map-{stamp}.png</translation>
    </message>
    <message>
        <source>PNG 图片 (*.png)</source>
        <translation>PNG images (*.png)</translation>
    </message>
    <message>
        <source>无法保存图片：{path}</source>
        <translation>Cannot save the image: {path}</translation>
    </message>
    <message>
        <source>已导出：{path}</source>
        <translation>Exported: {path}</translation>
    </message>
</context>
<context>
    <name>MapWarnings</name>
    <message>
        <source>{start} 至 {end}</source>
        <translation>{start} to {end}</translation>
    </message>
    <message>
        <source>【演习】</source>
        <translation>[Exercise] </translation>
    </message>
    <message>
        <source>即时</source>
        <translation>now</translation>
    </message>
    <message>
        <source>另行通知</source>
        <translation>until further notice</translation>
    </message>
</context>
<context>
    <name>Monitoring</name>
    <message>
        <source>接收服务没有在规定时间内启动</source>
        <translation>The ingest server did not start in time</translation>
    </message>
    <message>
        <source>无法监听端口: {error}</source>
        <translation>Cannot listen on the port: {error}</translation>
    </message>
    <message>
        <source>协议应为 hj212 或 sl651</source>
        <translation>Protocol must be hj212 or sl651</translation>
    </message>
    <message>
        <source>请填写站名</source>
        <translation>Enter the station name</translation>
    </message>
    <message>
        <source>经度应在 -180 到 180 之间</source>
        <translation>Longitude must be between -180 and 180</translation>
    </message>
    <message>
        <source>纬度应在 -90 到 90 之间</source>
        <translation>Latitude must be between -90 and 90</translation>
    </message>
    <message>
        <source>SL 651 密码应为 1–4 位十六进制数字</source>
        <translation>The SL 651 password is 1–4 hex digits</translation>
    </message>
    <message>
        <source>HJ 212 设备编号 MN 应为 1–32 位字母数字</source>
        <translation>The HJ 212 device number (MN) is 1–32 letters or digits</translation>
    </message>
    <message>
        <source>参数编码应为 1–32 位字母数字</source>
        <translation>A parameter code is 1–32 letters or digits</translation>
    </message>
    <message>
        <source>每个预警级别只能有一个阈值</source>
        <translation>One threshold per warning level</translation>
    </message>
    <message>
        <source>SL 651 测站地址应为 10 位十六进制数字</source>
        <translation>The SL 651 station address is 10 hex digits</translation>
    </message>
    <message>
        <source>参数重复</source>
        <translation>Parameter listed twice</translation>
    </message>
    <message>
        <source>预警级别应为 1–4</source>
        <translation>The warning level is 1–4</translation>
    </message>
    <message>
        <source>回差和持续时间不能为负</source>
        <translation>Hysteresis and duration cannot be negative</translation>
    </message>
    <message>
        <source>没有这个监测站: {id}</source>
        <translation>No such monitoring station: {id}</translation>
    </message>
    <message>
        <source>该编号的监测站已存在</source>
        <translation>A station with this code exists already</translation>
    </message>
    <message>
        <source>监测站 {station} 没有参数 {param}</source>
        <translation>Station {station} has no parameter {param}</translation>
    </message>
    <message>
        <source>没有这条监测报警: {id}</source>
        <translation>No such monitoring alarm: {id}</translation>
    </message>
</context>
<context>
    <name>MonitoringPane</name>
    <message>
        <source>1小时</source>
        <translation>1 hour</translation>
    </message>
    <message>
        <source>6小时</source>
        <translation>6 hours</translation>
    </message>
    <message>
        <source>24小时</source>
        <translation>24 hours</translation>
    </message>
    <message>
        <source>7天</source>
        <translation>7 days</translation>
    </message>
    <message>
        <source>30天</source>
        <translation>30 days</translation>
    </message>
    <message>
        <source>一级</source>
        <translation>Level 1</translation>
    </message>
    <message>
        <source>二级</source>
        <translation>Level 2</translation>
    </message>
    <message>
        <source>三级</source>
        <translation>Level 3</translation>
    </message>
    <message>
        <source>四级</source>
        <translation>Level 4</translation>
    </message>
    <message>
        <source>原始数据</source>
        <translation>Raw readings</translation>
    </message>
    <message>
        <source>在线</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>数据延迟</source>
        <translation>Late</translation>
    </message>
    <message>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>未上报</source>
        <translation>Never reported</translation>
    </message>
    <message>
        <source>每 {n} 小时汇总（阴影为最小–最大）</source>
        <translation>{n}-hour buckets (band: min–max)</translation>
    </message>
    <message>
        <source>选中报警后按 Ctrl+I 转为接报</source>
        <translation>Choose an alarm and press Ctrl+I to record it as an intake</translation>
    </message>
    <message>
        <source>转为接报</source>
        <translation>Record as intake</translation>
    </message>
    <message>
        <source>每 {n} 分钟汇总（阴影为最小–最大）</source>
        <translation>{n}-minute buckets (band: min–max)</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>站名</source>
        <translation>Station</translation>
    </message>
    <message>
        <source>编号</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>最新值</source>
        <translation>Latest values</translation>
    </message>
    <message>
        <source>最后上报</source>
        <translation>Last report</translation>
    </message>
    <message>
        <source>拒收</source>
        <translation>Refused</translation>
    </message>
    <message>
        <source>参数</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>报警</source>
        <translation>Alarms</translation>
    </message>
    <message>
        <source>被拒收的帧数；双击查看拒收记录</source>
        <translation>Frames refused; double-click for the quarantine log</translation>
    </message>
    <message>
        <source>{name}（{code}）</source>
        <translation>{name} ({code})</translation>
    </message>
    <message>
        <source>包外的无效数据</source>
        <translation>Garbage outside a frame</translation>
    </message>
    <message>
        <source>长度错误</source>
        <translation>Wrong length</translation>
    </message>
    <message>
        <source>数据过长</source>
        <translation>Too long</translation>
    </message>
    <message>
        <source>数据包不完整</source>
        <translation>Truncated frame</translation>
    </message>
    <message>
        <source>CRC 错误</source>
        <translation>Bad CRC</translation>
    </message>
    <message>
        <source>包尾错误</source>
        <translation>Bad end of frame</translation>
    </message>
    <message>
        <source>字段格式错误</source>
        <translation>Malformed field</translation>
    </message>
    <message>
        <source>未登记的站</source>
        <translation>Unknown station</translation>
    </message>
    <message>
        <source>密码错误</source>
        <translation>Wrong password</translation>
    </message>
    <message>
        <source>站已停用</source>
        <translation>Station disabled</translation>
    </message>
    <message>
        <source>正在读取…</source>
        <translation>Reading…</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>原始报文</source>
        <translation>Raw frame</translation>
    </message>
    <message>
        <source>拒收记录 — {name}</source>
        <translation>Refused frames — {name}</translation>
    </message>
    <message>
        <source>共拒收 {total} 帧；显示最新 {shown} 条</source>
        <translation>{total} frames refused; the newest {shown} shown</translation>
    </message>
    <message>
        <source>  [已转接报 #{id}]</source>
        <translation>  [intake #{id}]</translation>
    </message>
    <message>
        <source>已转为接报 #{id}</source>
        <translation>Recorded as intake #{id}</translation>
    </message>
    <message>
        <source>转接报失败：{error}</source>
        <translation>Could not record the intake: {error}</translation>
    </message>
</context>
<context>
    <name>NearPanel</name>
    <message>
        <source>附近资源</source>
        <extracomment>The marker colours of the page (resources/map/map.css), for the list&apos;s icons.</extracomment>
        <translation>Nearby resources</translation>
    </message>
    <message>
        <source>关闭附近资源列表</source>
        <translation>Close the nearby list</translation>
    </message>
    <message>
        <source> 公里</source>
        <translation> km</translation>
    </message>
    <message>
        <source>搜索半径</source>
        <translation>Search radius</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>距离</source>
        <translation>Distance</translation>
    </message>
    <message>
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>范围</source>
        <translation>Radius</translation>
    </message>
    <message>
        <source>共 {n} 项</source>
        <translation>{n} found</translation>
    </message>
    <message>
        <source>米</source>
        <translation>m</translation>
    </message>
    <message>
        <source>公里</source>
        <translation>km</translation>
    </message>
    <message>
        <source>容量 {n}</source>
        <translation>capacity {n}</translation>
    </message>
    <message>
        <source>查看</source>
        <translation>Show</translation>
    </message>
    <message>
        <source>显示摄像机画面：{name}</source>
        <translation>Show the camera&apos;s video: {name}</translation>
    </message>
    <message>
        <source>呼叫</source>
        <translation>Call</translation>
    </message>
    <message>
        <source>呼叫 {number}</source>
        <translation>Call {number}</translation>
    </message>
</context>
<context>
    <name>PlaybackBar</name>
    <message>
        <source>播放 / 暂停</source>
        <translation>Play / pause</translation>
    </message>
</context>
<context>
    <name>QueueTab</name>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>号码</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <source>页数</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>尝试</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <source>挂机码</source>
        <translation>Hangup code</translation>
    </message>
    <message>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>发送传真…</source>
        <translation>Send fax…</translation>
    </message>
    <message>
        <source>重发</source>
        <translation>Send again</translation>
    </message>
    <message>
        <source>传真 #{id} 已排队：{number}，{pages} 页</source>
        <translation>Fax #{id} queued: {number}, {pages} page(s)</translation>
    </message>
</context>
<context>
    <name>RecorderHealthView</name>
    <message>
        <source>录音机</source>
        <translation>Recorder</translation>
    </message>
    <message>
        <source>通道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>线路</source>
        <translation>Line</translation>
    </message>
    <message>
        <source>电平</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>未配置录音机（文件 → 设备设置，类型 recorder）</source>
        <translation>No recorder configured (File → Device settings, kind recorder)</translation>
    </message>
    <message>
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>已停用</source>
        <translation>Disabled</translation>
    </message>
    <message>
        <source>未运行</source>
        <translation>Not running</translation>
    </message>
    <message>
        <source>录音中 {t}</source>
        <translation>Recording {t}</translation>
    </message>
    <message>
        <source>空闲</source>
        <translation>Idle</translation>
    </message>
</context>
<context>
    <name>Recordings</name>
    <message>
        <source>录音片段尚未结束</source>
        <translation>The recording segment has not ended yet</translation>
    </message>
    <message>
        <source>录音 #{id} 尚未保存</source>
        <translation>Recording #{id} has not been stored yet</translation>
    </message>
    <message>
        <source>录音 #{id} 不存在</source>
        <translation>Recording #{id} does not exist</translation>
    </message>
    <message>
        <source>录音文件不存在：{path}</source>
        <translation>Recording file not found: {path}</translation>
    </message>
</context>
<context>
    <name>RecordingsDialog</name>
    <message>
        <source>通话录音</source>
        <translation>Call recordings</translation>
    </message>
    <message>
        <source>录音机状态</source>
        <translation>Recorders</translation>
    </message>
    <message>
        <source>录音</source>
        <translation>Recordings</translation>
    </message>
</context>
<context>
    <name>RecordingsView</name>
    <message>
        <source>开始时间</source>
        <translation>Started</translation>
    </message>
    <message>
        <source>时长</source>
        <translation>Length</translation>
    </message>
    <message>
        <source>线路</source>
        <translation>Line</translation>
    </message>
    <message>
        <source>号码</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <source>更多</source>
        <translation>More</translation>
    </message>
    <message>
        <source>读取录音失败：{error}</source>
        <translation>Could not read the recordings: {error}</translation>
    </message>
    <message>
        <source>录音中</source>
        <translation>Recording</translation>
    </message>
    <message>
        <source>完整</source>
        <translation>Complete</translation>
    </message>
    <message>
        <source>不完整</source>
        <translation>Incomplete</translation>
    </message>
    <message>
        <source>完好</source>
        <translation>Intact</translation>
    </message>
    <message>
        <source>已被改动</source>
        <translation>Changed</translation>
    </message>
    <message>
        <source>丢失</source>
        <translation>Missing</translation>
    </message>
    <message>
        <source>警告：录音文件已被改动（SHA-256 与存档不符），已停止播放。文件：{path}</source>
        <translation>Warning: the recording file was changed (its SHA-256 does not match the record); it is not played. File: {path}</translation>
    </message>
    <message>
        <source>警告：录音文件丢失，无法播放。文件：{path}</source>
        <translation>Warning: the recording file is missing and cannot be played. File: {path}</translation>
    </message>
    <message>
        <source>通话 #{id}</source>
        <translation>Call #{id}</translation>
    </message>
    <message>
        <source>事件 #{id}</source>
        <translation>Incident #{id}</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <source>请填写报送单位</source>
        <translation>Enter the reporting unit</translation>
    </message>
    <message>
        <source>报送单位最多 {n} 字</source>
        <translation>The reporting unit may have at most {n} characters</translation>
    </message>
</context>
<context>
    <name>ResourceEditorDialog</name>
    <message>
        <source>添加资源</source>
        <translation>Add resource</translation>
    </message>
    <message>
        <source>编辑资源 {name}</source>
        <translation>Edit resource {name}</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>如 长春市某区综合救援队</source>
        <translation>e.g. Changchun district rescue team</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>如 消防救援、Ⅰ类避难场所、危化品储存</source>
        <translation>e.g. fire rescue, class I shelter, hazardous chemicals store</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>数量</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>单位：人、张床位、吨</source>
        <translation>Unit: people, beds, tonnes</translation>
    </message>
    <message>
        <source>容量</source>
        <translation>Capacity</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>联系电话</source>
        <translation>Contact phone</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>经度，如 125.3245</source>
        <translation>Longitude, e.g. 125.3245</translation>
    </message>
    <message>
        <source>纬度，如 43.8868</source>
        <translation>Latitude, e.g. 43.8868</translation>
    </message>
    <message>
        <source>经纬度（WGS-84）</source>
        <translation>Lon/lat (WGS-84)</translation>
    </message>
    <message>
        <source>留空则按经纬度自动填写</source>
        <translation>Leave empty to fill in from the coordinates</translation>
    </message>
    <message>
        <source>区划代码</source>
        <translation>Division code</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>不是数字：{text}</source>
        <translation>Not a number: {text}</translation>
    </message>
    <message>
        <source>经度</source>
        <translation>longitude</translation>
    </message>
    <message>
        <source>纬度</source>
        <translation>latitude</translation>
    </message>
    <message>
        <source>请填写{what}</source>
        <translation>Please fill in the {what}</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>请先改正标红的字段，尚未保存。</source>
        <translation>Correct the fields marked in red first; nothing was saved.</translation>
    </message>
    <message>
        <source>保存失败：{reason}</source>
        <translation>Not saved: {reason}</translation>
    </message>
    <message>
        <source>该点不在吉林省的区县内</source>
        <translation>This point is not in a county of Jilin</translation>
    </message>
    <message>
        <source>位于 {place}（{code}）</source>
        <translation>In {place} ({code})</translation>
    </message>
</context>
<context>
    <name>Resources</name>
    <message>
        <source>救援队伍</source>
        <translation>Rescue team</translation>
    </message>
    <message>
        <source>物资储备库</source>
        <translation>Supply depot</translation>
    </message>
    <message>
        <source>避难场所</source>
        <translation>Shelter</translation>
    </message>
    <message>
        <source>医疗机构</source>
        <translation>Hospital</translation>
    </message>
    <message>
        <source>危险源</source>
        <translation>Hazard source</translation>
    </message>
    <message>
        <source>防护目标</source>
        <translation>Protection target</translation>
    </message>
    <message>
        <source>要素 {n} (feature {n})</source>
        <translation>feature {n}</translation>
    </message>
    <message>
        <source>第 {n} 行 (line {n})</source>
        <translation>line {n}</translation>
    </message>
    <message>
        <source>缺少经度</source>
        <translation>Longitude missing</translation>
    </message>
    <message>
        <source>缺少纬度</source>
        <translation>Latitude missing</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>容量</source>
        <translation>Capacity</translation>
    </message>
    <message>
        <source>计量单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>区划代码</source>
        <translation>Division code</translation>
    </message>
    <message>
        <source>经度</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <source>纬度</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>不是 Feature 对象</source>
        <translation>Not a Feature object</translation>
    </message>
    <message>
        <source>Point 的坐标应为 [经度, 纬度]</source>
        <translation>A Point&apos;s coordinates must be [longitude, latitude]</translation>
    </message>
    <message>
        <source>properties 应为对象</source>
        <translation>properties must be an object</translation>
    </message>
    <message>
        <source>未知类别</source>
        <translation>Unknown kind</translation>
    </message>
    <message>
        <source>容量应为 0 到 10 亿之间的数</source>
        <translation>Capacity must be a number from 0 to 1,000,000,000</translation>
    </message>
    <message>
        <source>缺少类别</source>
        <translation>Kind missing</translation>
    </message>
    <message>
        <source>不是有效数字</source>
        <translation>Not a valid number</translation>
    </message>
    <message>
        <source>资源 #{id} 已被他人修改，请刷新后再改</source>
        <translation>Resource #{id} was changed by someone else; reload and edit again</translation>
    </message>
    <message>
        <source>几何应为 Point，实为 {kind}</source>
        <translation>The geometry must be a Point, not {kind}</translation>
    </message>
    <message>
        <source>电话格式不对：{v!r}（只能有数字、+、-、括号和空格）</source>
        <translation>Not a phone number: {v!r} (digits, +, -, brackets and spaces only)</translation>
    </message>
    <message>
        <source>区划代码应为 6 位数字（GB/T 2260）：{v!r}</source>
        <translation>A division code has 6 digits (GB/T 2260): {v!r}</translation>
    </message>
    <message>
        <source>未知类别 {v!r}（应为 {names} 或其英文代码）</source>
        <translation>Unknown kind {v!r} (use {names} or their English codes)</translation>
    </message>
    <message>
        <source>文件是空的 (empty file)</source>
        <translation>The file is empty</translation>
    </message>
    <message>
        <source>不是 GeoJSON FeatureCollection</source>
        <translation>Not a GeoJSON FeatureCollection</translation>
    </message>
    <message>
        <source>FeatureCollection 缺少 features 数组</source>
        <translation>The FeatureCollection has no features array</translation>
    </message>
    <message>
        <source>不是数字：{v!r}</source>
        <translation>Not a number: {v!r}</translation>
    </message>
    <message>
        <source>第 1 行：未知的列 {names}；可用的列：{expected}</source>
        <translation>Line 1: unknown columns {names}; known columns: {expected}</translation>
    </message>
    <message>
        <source>第 1 行：缺少列 {names}（必需：类别、名称、经度、纬度）</source>
        <translation>Line 1: columns missing: {names} (required: kind, name, lon, lat)</translation>
    </message>
    <message>
        <source>距离应在 0 到 {n} 公里之间</source>
        <translation>The distance must be between 0 and {n} km</translation>
    </message>
    <message>
        <source>JSON 嵌套太深 (nested too deeply)</source>
        <translation>JSON nested too deeply</translation>
    </message>
    <message>
        <source>资源 #{id} 不存在</source>
        <translation>Resource #{id} does not exist</translation>
    </message>
    <message>
        <source>未知坐标系：{v}（应为 wgs84、cgcs2000 或 gcj02）</source>
        <translation>Unknown coordinate system: {v} (use wgs84, cgcs2000 or gcj02)</translation>
    </message>
    <message>
        <source>文件不是 UTF-8 或 GB18030 编码的文本 (not UTF-8 text)</source>
        <translation>The file is not UTF-8 or GB18030 text</translation>
    </message>
    <message>
        <source>文件太大 (file too large): 最多 {n} 字节</source>
        <translation>File too large: at most {n} bytes</translation>
    </message>
    <message>
        <source>与{where}重复（同类别同名）</source>
        <translation>Same kind and name as {where}</translation>
    </message>
    <message>
        <source>未知的区划代码 {code}</source>
        <translation>Unknown division code {code}</translation>
    </message>
    <message>
        <source>第 1 行：列名重复 {name}</source>
        <translation>Line 1: column {name} appears twice</translation>
    </message>
    <message>
        <source>CSV 格式错误：{e}</source>
        <translation>CSV format error: {e}</translation>
    </message>
    <message>
        <source>不是有效的 JSON：第 {line} 行第 {col} 列：{msg}</source>
        <translation>Not valid JSON: line {line}, column {col}: {msg}</translation>
    </message>
    <message>
        <source>多出的列：{cell!r}</source>
        <translation>Extra column: {cell!r}</translation>
    </message>
    <message>
        <source>区划代码：未知的区划代码 {code}</source>
        <translation>Division code: unknown division code {code}</translation>
    </message>
</context>
<context>
    <name>ResourcesDialog</name>
    <message>
        <source>基础信息库</source>
        <translation>Basic information</translation>
    </message>
    <message>
        <source>救援队伍、物资储备库、避难场所、医疗机构、危险源和防护目标的位置、容量与联系人；坐标为 WGS-84。可从 CSV 或 GeoJSON 导入，错误的行会逐行列出。</source>
        <translation>Rescue teams, supply depots, shelters, hospitals, hazard sources and protection targets with their place, capacity and contacts; coordinates are WGS-84. Import from CSV or GeoJSON lists every refused row.</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All kinds</translation>
    </message>
    <message>
        <source>按名称或地址查找</source>
        <translation>Find by name or address</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>容量</source>
        <translation>Capacity</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>所在区划</source>
        <translation>Division</translation>
    </message>
    <message>
        <source>经度</source>
        <translation>Longitude</translation>
    </message>
    <message>
        <source>纬度</source>
        <translation>Latitude</translation>
    </message>
    <message>
        <source>没有资源。点“添加…”新建，或“导入…”从 CSV/GeoJSON 文件导入。</source>
        <translation>No resources. Click “Add…” to create one, or “Import…” to read a CSV/GeoJSON file.</translation>
    </message>
    <message>
        <source>上一页</source>
        <translation>Previous</translation>
    </message>
    <message>
        <source>下一页</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>添加…</source>
        <translation>Add…</translation>
    </message>
    <message>
        <source>编辑…</source>
        <translation>Edit…</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>再按一次确认删除</source>
        <translation>Press again to delete</translation>
    </message>
    <message>
        <source>导入文件中坐标所用的坐标系</source>
        <translation>The coordinate system of the coordinates in the imported file</translation>
    </message>
    <message>
        <source>导入…</source>
        <translation>Import…</translation>
    </message>
    <message>
        <source>CSV 或 GeoJSON；未写类别的行按上方选定的类别导入</source>
        <translation>CSV or GeoJSON; rows without a kind take the kind chosen above</translation>
    </message>
    <message>
        <source>导出…</source>
        <translation>Export…</translation>
    </message>
    <message>
        <source>导入坐标系</source>
        <translation>Import CRS</translation>
    </message>
    <message>
        <source>共 {n} 条</source>
        <translation>{n} in all</translation>
    </message>
    <message>
        <source>第 {page} 页（{a}–{b}）</source>
        <translation>Page {page} ({a}–{b})</translation>
    </message>
    <message>
        <source>操作失败：{reason}</source>
        <translation>Failed: {reason}</translation>
    </message>
    <message>
        <source>已保存 {name}</source>
        <translation>Saved {name}</translation>
    </message>
    <message>
        <source>已删除 {name}</source>
        <translation>Deleted {name}</translation>
    </message>
    <message>
        <source>导入基础信息</source>
        <translation>Import basic information</translation>
    </message>
    <message>
        <source>CSV 或 GeoJSON (*.csv *.geojson *.json);;所有文件 (*)</source>
        <translation>CSV or GeoJSON (*.csv *.geojson *.json);;All files (*)</translation>
    </message>
    <message>
        <source>正在导入 {file}…</source>
        <translation>Importing {file}…</translation>
    </message>
    <message>
        <source>已导入 {file}：{n} 条</source>
        <translation>Imported {file}: {n} rows</translation>
    </message>
    <message>
        <source>{file}：已导入 {ok} 条，{n} 条未导入，原因见下</source>
        <translation>{file}: {ok} rows imported, {n} refused; reasons below</translation>
    </message>
    <message>
        <source>导出基础信息</source>
        <translation>Export basic information</translation>
    </message>
    <message>
        <source>CSV (*.csv);;GeoJSON (*.geojson)</source>
        <translation>CSV (*.csv);;GeoJSON (*.geojson)</translation>
    </message>
    <message>
        <source>已导出 {n} 条到 {path}</source>
        <translation>Exported {n} to {path}</translation>
    </message>
    <message>
        <source>人</source>
        <translation>people</translation>
    </message>
    <message>
        <source>名</source>
        <translation>people</translation>
    </message>
    <message>
        <source>件</source>
        <translation>items</translation>
    </message>
    <message>
        <source>个</source>
        <translation>pcs</translation>
    </message>
    <message>
        <source>张</source>
        <translation>pcs</translation>
    </message>
    <message>
        <source>张床位</source>
        <translation>beds</translation>
    </message>
    <message>
        <source>床位</source>
        <translation>beds</translation>
    </message>
    <message>
        <source>吨</source>
        <translation>t</translation>
    </message>
    <message>
        <source>台</source>
        <translation>units</translation>
    </message>
    <message>
        <source>辆</source>
        <translation>vehicles</translation>
    </message>
    <message>
        <source>套</source>
        <translation>sets</translation>
    </message>
    <message>
        <source>顶</source>
        <translation>tents</translation>
    </message>
    <message>
        <source>箱</source>
        <translation>boxes</translation>
    </message>
    <message>
        <source>艘</source>
        <translation>boats</translation>
    </message>
    <message>
        <source>公斤</source>
        <translation>kg</translation>
    </message>
    <message>
        <source>千克</source>
        <translation>kg</translation>
    </message>
    <message>
        <source>立方米</source>
        <translation>m³</translation>
    </message>
    <message>
        <source>平方米</source>
        <translation>m²</translation>
    </message>
    <message>
        <source>WGS-84（GPS、天地图）</source>
        <translation>WGS-84 (GPS, Tianditu)</translation>
    </message>
    <message>
        <source>CGCS2000（国家 2000）</source>
        <translation>CGCS2000 (China Geodetic 2000)</translation>
    </message>
    <message>
        <source>GCJ-02（高德、腾讯，自动转换）</source>
        <translation>GCJ-02 (AMap, Tencent; converted)</translation>
    </message>
    <message>
        <source>导入 {file}：新增 {added}，更新 {updated}，未变 {unchanged}，未导入 {bad}。</source>
        <translation>Import of {file}: {added} added, {updated} updated, {unchanged} unchanged, {bad} refused.</translation>
    </message>
    <message>
        <source>无法读取文件：{error}</source>
        <translation>Cannot read the file: {error}</translation>
    </message>
    <message>
        <source>无法写入文件：{error}</source>
        <translation>Cannot write the file: {error}</translation>
    </message>
</context>
<context>
    <name>Security</name>
    <message>
        <source>值班员</source>
        <translation>Duty officer</translation>
    </message>
    <message>
        <source>带班领导</source>
        <translation>Leader on duty</translation>
    </message>
    <message>
        <source>监督员（大厅显示）</source>
        <translation>Supervisor (hall display)</translation>
    </message>
    <message>
        <source>系统管理员</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>审计员</source>
        <translation>Auditor</translation>
    </message>
    <message>
        <source>自动操作 {actor} 不能执行 {action} (not an automated action)</source>
        <translation>The automated actor {actor} may not do {action}</translation>
    </message>
    <message>
        <source>密码须含小写字母、大写字母、数字、符号中的至少三类</source>
        <translation>The password needs three of: lower case, upper case, digits, symbols</translation>
    </message>
    <message>
        <source>密码不能包含用户名</source>
        <translation>The password must not contain the user name</translation>
    </message>
    <message>
        <source>{actor} 不是有效账号，不能执行 {action} (no such active account)</source>
        <translation>{actor} is not an active account and may not do {action}</translation>
    </message>
    <message>
        <source>{actor}（{role}）无权执行 {action} (permission denied)</source>
        <translation>{actor} ({role}) may not do {action}: permission denied</translation>
    </message>
    <message>
        <source>密码至少 {n} 个字符</source>
        <translation>The password needs at least {n} characters</translation>
    </message>
</context>
<context>
    <name>SecurityController</name>
    <message>
        <source>未设置账号：任何人以值班员身份操作</source>
        <translation>No accounts yet: anyone acts as a duty officer</translation>
    </message>
    <message>
        <source>尚未建立任何账号，系统处于开放模式，不检查角色。请由系统管理员建立第一个管理员账号：duty-console user add NAME --role admin</source>
        <translation>No account exists yet: the console is in open mode and roles are not checked. An administrator should create the first administrator account: duty-console user add NAME --role admin</translation>
    </message>
    <message>
        <source>{name}（{role}）</source>
        <translation>{name} ({role})</translation>
    </message>
    <message>
        <source>演示模式</source>
        <translation>Demo mode</translation>
    </message>
    <message>
        <source>登录账号：{user}</source>
        <translation>Logged in as {user}</translation>
    </message>
    <message>
        <source>系统(&amp;S)</source>
        <translation>&amp;System</translation>
    </message>
    <message>
        <source>用户与角色…</source>
        <translation>Users and roles…</translation>
    </message>
    <message>
        <source>修改密码…</source>
        <translation>Change password…</translation>
    </message>
    <message>
        <source>锁定屏幕</source>
        <translation>Lock screen</translation>
    </message>
    <message>
        <source>自动备份…</source>
        <translation>Scheduled backup…</translation>
    </message>
    <message>
        <source>报送单位…</source>
        <translation>Reporting unit…</translation>
    </message>
    <message>
        <source>印在每份报告单上的报送单位</source>
        <translation>The reporting unit printed on every report</translation>
    </message>
    <message>
        <source>报送单位</source>
        <translation>Reporting unit</translation>
    </message>
    <message>
        <source>报送单位已设为：{unit}</source>
        <translation>Reporting unit set to: {unit}</translation>
    </message>
    <message>
        <source>报告单上的报送单位（如：某某市应急管理局总值班室）：</source>
        <translation>Reporting unit on the reports (e.g. Duty Office, City Emergency Management Bureau):</translation>
    </message>
    <message>
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>当前密码：</source>
        <translation>Current password:</translation>
    </message>
    <message>
        <source>新密码（至少 10 位，含大小写字母、数字、符号中的三类）：</source>
        <translation>New password (at least 10 characters, three of lower case, upper case, digits, symbols):</translation>
    </message>
    <message>
        <source>密码已修改</source>
        <translation>Password changed</translation>
    </message>
</context>
<context>
    <name>SendFaxDialog</name>
    <message>
        <source>发送传真</source>
        <translation>Send fax</translation>
    </message>
    <message>
        <source>（直接输入号码）</source>
        <translation>(type a number)</translation>
    </message>
    <message>
        <source>如 0431-88881234</source>
        <translation>e.g. 0431-88881234</translation>
    </message>
    <message>
        <source>PDF、PNG、JPEG 或 TIFF 文件</source>
        <translation>A PDF, PNG, JPEG or TIFF file</translation>
    </message>
    <message>
        <source>选择文件…</source>
        <translation>Choose file…</translation>
    </message>
    <message>
        <source>关联当前事件 #{id}</source>
        <translation>For the selected incident #{id}</translation>
    </message>
    <message>
        <source>未选中事件</source>
        <translation>No incident selected</translation>
    </message>
    <message>
        <source>联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>传真号码</source>
        <translation>Fax number</translation>
    </message>
    <message>
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>发送</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>PDF 或图像</source>
        <translation>PDF or image</translation>
    </message>
    <message>
        <source>选择要传真的文件</source>
        <translation>Choose the file to fax</translation>
    </message>
    <message>
        <source>正在转换文件…</source>
        <translation>Converting the file…</translation>
    </message>
    <message>
        <source>请填写传真号码或选择联系人</source>
        <translation>Enter a fax number or choose a contact</translation>
    </message>
    <message>
        <source>请选择要发送的文件</source>
        <translation>Choose the file to send</translation>
    </message>
    <message>
        <source>发送失败：{e}</source>
        <translation>Sending failed: {e}</translation>
    </message>
</context>
<context>
    <name>UserLayersDialog</name>
    <message>
        <source>地图图层设置</source>
        <translation>Map layers</translation>
    </message>
    <message>
        <source>添加 GeoJSON 图层…</source>
        <translation>Add GeoJSON layer…</translation>
    </message>
    <message>
        <source>添加 MBTiles/PMTiles 底图…</source>
        <translation>Add MBTiles/PMTiles basemap…</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>图层文件留在原处，每次显示时读取。GeoJSON 中指向外部网络的地址（图标、样式）一律拦截并记入日志。</source>
        <translation>Layer files stay where they are and are read each time they are shown. Addresses on the network inside a GeoJSON file (icons, styles) are always blocked and logged.</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>坐标系</source>
        <translation>Coordinate system</translation>
    </message>
    <message>
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <source>选择 GeoJSON 文件</source>
        <translation>Choose a GeoJSON file</translation>
    </message>
    <message>
        <source>GeoJSON (*.geojson *.json)</source>
        <translation>GeoJSON (*.geojson *.json)</translation>
    </message>
    <message>
        <source>选择底图文件</source>
        <translation>Choose a basemap file</translation>
    </message>
    <message>
        <source>瓦片底图 (*.mbtiles *.pmtiles)</source>
        <translation>Tile basemaps (*.mbtiles *.pmtiles)</translation>
    </message>
</context>
<context>
    <name>Users</name>
    <message>
        <source>用户名或密码错误 (wrong user name or password)</source>
        <translation>Wrong user name or password</translation>
    </message>
    <message>
        <source>失败次数上限应在 1–100 之间</source>
        <translation>The failure limit must be 1–100</translation>
    </message>
    <message>
        <source>锁定时长应在 1–1440 分钟之间</source>
        <translation>The lock must last 1–1440 minutes</translation>
    </message>
    <message>
        <source>锁屏时间应在 0–1440 分钟之间（0 不锁屏）</source>
        <translation>The screen-lock time must be 0–1440 minutes (0: never)</translation>
    </message>
    <message>
        <source>该用户名不可用</source>
        <translation>This user name is not available</translation>
    </message>
    <message>
        <source>令牌无效或已撤销 (invalid or revoked token)</source>
        <translation>Invalid or revoked token</translation>
    </message>
    <message>
        <source>不能停用自己的账号</source>
        <translation>You cannot deactivate your own account</translation>
    </message>
    <message>
        <source>至少要保留一个有效的系统管理员账号</source>
        <translation>At least one active administrator account must remain</translation>
    </message>
    <message>
        <source>账号已停用 (account deactivated)</source>
        <translation>The account is deactivated</translation>
    </message>
    <message>
        <source>第一个账号必须是系统管理员 (the first account must be an admin)</source>
        <translation>The first account must be an administrator</translation>
    </message>
    <message>
        <source>用户 {name} 不存在</source>
        <translation>User {name} does not exist</translation>
    </message>
    <message>
        <source>只能为有效账号签发令牌</source>
        <translation>Tokens are issued only for active accounts</translation>
    </message>
    <message>
        <source>令牌 #{id} 不存在</source>
        <translation>Token #{id} does not exist</translation>
    </message>
    <message>
        <source>用户 {name} 已有账号</source>
        <translation>User {name} already has an account</translation>
    </message>
    <message>
        <source>账号已锁定，请于 {minutes} 分钟后再试或请管理员解锁</source>
        <translation>The account is locked: try again in {minutes} minutes or ask an administrator to unlock it</translation>
    </message>
    <message>
        <source>密码错误次数过多，账号已锁定 {minutes} 分钟</source>
        <translation>Too many wrong passwords: the account is locked for {minutes} minutes</translation>
    </message>
</context>
<context>
    <name>UsersDialog</name>
    <message>
        <source>用户与角色</source>
        <translation>Users and roles</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>密码修改于</source>
        <translation>Password changed</translation>
    </message>
    <message>
        <source>新增用户…</source>
        <translation>Add user…</translation>
    </message>
    <message>
        <source>设置角色…</source>
        <translation>Set role…</translation>
    </message>
    <message>
        <source>重置密码…</source>
        <translation>Reset password…</translation>
    </message>
    <message>
        <source>解锁</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>停用</source>
        <translation>Deactivate</translation>
    </message>
    <message>
        <source>登录与锁屏</source>
        <translation>Login and screen lock</translation>
    </message>
    <message>
        <source> 分钟</source>
        <translation> min</translation>
    </message>
    <message>
        <source>不锁屏</source>
        <translation>Never</translation>
    </message>
    <message>
        <source>保存设置</source>
        <translation>Save settings</translation>
    </message>
    <message>
        <source>连续输错密码锁定（次）</source>
        <translation>Lock after wrong passwords in a row</translation>
    </message>
    <message>
        <source>锁定时长</source>
        <translation>Lock for</translation>
    </message>
    <message>
        <source>无操作自动锁屏</source>
        <translation>Lock the screen after idling</translation>
    </message>
    <message>
        <source>已停用</source>
        <translation>Deactivated</translation>
    </message>
    <message>
        <source>已锁定</source>
        <translation>Locked</translation>
    </message>
    <message>
        <source>无登录密码</source>
        <translation>No password</translation>
    </message>
    <message>
        <source>正常</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>启用</source>
        <translation>Reactivate</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>操作失败：{error}</source>
        <translation>Failed: {error}</translation>
    </message>
    <message>
        <source>已新增用户 {name}</source>
        <translation>User {name} added</translation>
    </message>
    <message>
        <source>设置角色</source>
        <translation>Set role</translation>
    </message>
    <message>
        <source>{name} 的角色：</source>
        <translation>{name}&apos;s role:</translation>
    </message>
    <message>
        <source>{name} 的角色已改为 {role}</source>
        <translation>{name}&apos;s role is now {role}</translation>
    </message>
    <message>
        <source>重置密码</source>
        <translation>Reset password</translation>
    </message>
    <message>
        <source>{name} 的新密码：</source>
        <translation>New password for {name}:</translation>
    </message>
    <message>
        <source>已重置 {name} 的密码</source>
        <translation>{name}&apos;s password reset</translation>
    </message>
    <message>
        <source>已解锁 {name}</source>
        <translation>{name} unlocked</translation>
    </message>
    <message>
        <source>已启用 {name}</source>
        <translation>{name} reactivated</translation>
    </message>
    <message>
        <source>已停用 {name}</source>
        <translation>{name} deactivated</translation>
    </message>
    <message>
        <source>设置已保存</source>
        <translation>Settings saved</translation>
    </message>
</context>
<context>
    <name>Validation</name>
    <message>
        <source>必填</source>
        <translation>Required</translation>
    </message>
    <message>
        <source>含有空字符 (NUL)，不能保存</source>
        <translation>contains a NUL character and cannot be saved</translation>
    </message>
    <message>
        <source>时间缺少时区</source>
        <translation>The time has no time zone</translation>
    </message>
    <message>
        <source>经度和纬度需同时填写</source>
        <translation>Give both longitude and latitude</translation>
    </message>
    <message>
        <source>坐标不是有效数字</source>
        <translation>The coordinates are not valid numbers</translation>
    </message>
    <message>
        <source>行政区划代码应为 6 位数字</source>
        <translation>A division code has 6 digits</translation>
    </message>
    <message>
        <source>电话号码格式不对</source>
        <translation>Not a valid phone number</translation>
    </message>
    <message>
        <source>时间不可能早于 1949-10-01</source>
        <translation>The time cannot be before 1949-10-01</translation>
    </message>
    <message>
        <source>人数应为 0 到 1000000 的整数</source>
        <translation>A count is a whole number from 0 to 1000000</translation>
    </message>
    <message>
        <source>太长：{n} 字，最多 {limit} 字</source>
        <translation>Too long: {n} characters, at most {limit}</translation>
    </message>
    <message>
        <source>时间不能晚于现在</source>
        <translation>The time cannot be in the future</translation>
    </message>
    <message>
        <source>经度 {v} 不在中国境内 (73.4–135.1)</source>
        <translation>Longitude {v} is outside China (73.4–135.1)</translation>
    </message>
    <message>
        <source>未知的行政区划代码 {code}</source>
        <translation>Unknown division code {code}</translation>
    </message>
    <message>
        <source>纬度 {v} 不在中国境内 (3.8–53.6)</source>
        <translation>Latitude {v} is outside China (3.8–53.6)</translation>
    </message>
</context>
<context>
    <name>VideoPane</name>
    <message>
        <source>拖入摄像机</source>
        <translation>Drag a camera here</translation>
    </message>
    <message>
        <source>静音</source>
        <translation>Muted</translation>
    </message>
    <message>
        <source>声音开关（默认静音）</source>
        <translation>Sound on/off (muted by default)</translation>
    </message>
    <message>
        <source>抓图</source>
        <translation>Snapshot</translation>
    </message>
    <message>
        <source>把当前画面存为事件附件</source>
        <translation>Store the current picture as an attachment of the incident</translation>
    </message>
    <message>
        <source>云台</source>
        <translation>PTZ</translation>
    </message>
    <message>
        <source>转动、变焦、预置位</source>
        <translation>Pan, tilt, zoom, presets</translation>
    </message>
    <message>
        <source>上墙</source>
        <translation>To wall</translation>
    </message>
    <message>
        <source>通过矩阵送到大屏</source>
        <translation>Send to the hall wall through the matrix</translation>
    </message>
    <message>
        <source>关闭此窗格的画面</source>
        <translation>Close this pane&apos;s picture</translation>
    </message>
    <message>
        <source>正在连接…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>空闲</source>
        <translation>Empty</translation>
    </message>
    <message>
        <source>已暂停</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>信号中断，{s} 秒后重连（第 {n} 次）
{reason}</source>
        <translation>Signal lost, reconnecting in {s} s (attempt {n})
{reason}</translation>
    </message>
    <message>
        <source>此摄像机未接入显示矩阵（未配置矩阵输入）</source>
        <translation>This camera is not a matrix input (no matrix input configured)</translation>
    </message>
    <message>
        <source>播放中</source>
        <translation>Playing</translation>
    </message>
    <message>
        <source>不是视频：此源没有视频画面（可能是音频文件）</source>
        <translation>Not a video: this source has no picture (an audio file?)</translation>
    </message>
    <message>
        <source>有声</source>
        <translation>Sound</translation>
    </message>
    <message>
        <source>（子码流）</source>
        <translation> (sub-stream)</translation>
    </message>
    <message>
        <source>（主码流）</source>
        <translation> (main stream)</translation>
    </message>
    <message>
        <source>视频流已结束（摄像机或服务器断开）</source>
        <translation>The stream ended (camera or server disconnected)</translation>
    </message>
    <message>
        <source>访问被拒绝（用户名或密码错误？）：{url}</source>
        <translation>Access denied (wrong user name or password?): {url}</translation>
    </message>
    <message>
        <source>无法播放：文件不是视频或格式不受支持
{url}</source>
        <translation>Cannot play: the file is not a video or its format is not supported
{url}</translation>
    </message>
    <message>
        <source>无法解码视频流：{url}</source>
        <translation>Cannot decode the stream: {url}</translation>
    </message>
    <message>
        <source>无法连接视频源（地址错误、网络不通或摄像机离线）：{url}</source>
        <translation>Cannot reach the video source (wrong address, network down or camera offline): {url}</translation>
    </message>
    <message>
        <source>文件不存在：{path}</source>
        <translation>File not found: {path}</translation>
    </message>
    <message>
        <source>视频地址无效：{url}</source>
        <translation>Invalid video address: {url}</translation>
    </message>
    <message>
        <source>{s} 秒没有收到画面</source>
        <translation>No picture for {s} s</translation>
    </message>
</context>
<context>
    <name>VideoWall</name>
    <message>
        <source>视频（全屏）</source>
        <translation>Video (full screen)</translation>
    </message>
    <message>
        <source>未配置摄像机。
在“文件 → 设备设置”中添加，或用命令 duty-console device add --kind camera。</source>
        <translation>No cameras configured.
Add them in File → Device settings, or with duty-console device add --kind camera.</translation>
    </message>
    <message>
        <source>在大屏显示</source>
        <translation>Show on hall display</translation>
    </message>
    <message>
        <source>把当前画面布局显示在指挥大厅的大屏窗口上</source>
        <translation>Show this layout on the command hall&apos;s display</translation>
    </message>
    <message>
        <source>大屏恢复地图</source>
        <translation>Hall display: map again</translation>
    </message>
    <message>
        <source>大屏不再显示视频，恢复事件分布地图</source>
        <translation>Stop showing video on the hall display and show the incident map again</translation>
    </message>
    <message>
        <source>画面：</source>
        <translation>Panes:</translation>
    </message>
    <message>
        <source>摄像机（拖到画面中）</source>
        <translation>Cameras (drag into a pane)</translation>
    </message>
    <message>
        <source>还没有画面，无法抓图</source>
        <translation>No picture yet: nothing to capture</translation>
    </message>
    <message>
        <source>抓图存入哪个事件？</source>
        <translation>Store the snapshot in which incident?</translation>
    </message>
    <message>
        <source>未选中事件。请选择抓图所属的事件：</source>
        <translation>No incident is selected. Choose the incident for the snapshot:</translation>
    </message>
    <message>
        <source>无法上墙：未配置显示矩阵或此摄像机的矩阵输入</source>
        <translation>Cannot send to wall: no display matrix or no matrix input for this camera</translation>
    </message>
    <message>
        <source>无法上墙：未配置显示矩阵</source>
        <translation>Cannot send to wall: no display matrix configured</translation>
    </message>
    <message>
        <source>子码流</source>
        <translation>sub-stream</translation>
    </message>
    <message>
        <source>主码流</source>
        <translation>main stream</translation>
    </message>
    <message>
        <source>云台</source>
        <translation>PTZ</translation>
    </message>
    <message>
        <source>没有处置中的事件，抓图未保存</source>
        <translation>No open incidents: the snapshot was not stored</translation>
    </message>
    <message>
        <source>云台：{camera}</source>
        <translation>PTZ: {camera}</translation>
    </message>
    <message>
        <source>正在上墙：{camera} → {out}…</source>
        <translation>Sending to wall: {camera} → {out}…</translation>
    </message>
    <message>
        <source>{n} 画面</source>
        <translation>{n}</translation>
    </message>
    <message>
        <source>抓图未保存：{error}</source>
        <translation>Snapshot not stored: {error}</translation>
    </message>
    <message>
        <source>{n}  {label}</source>
        <translation>{n}  {label}</translation>
    </message>
    <message>
        <source>已上墙：{out}</source>
        <translation>On the wall: {out}</translation>
    </message>
    <message>
        <source>上墙失败（{out}）：{reason}</source>
        <translation>Sending to wall failed ({out}): {reason}</translation>
    </message>
    <message>
        <source>矩阵输入 {n}</source>
        <translation>matrix input {n}</translation>
    </message>
    <message>
        <source>已抓图，存入事件 #{id}（SHA-256 {sha}…）</source>
        <translation>Snapshot stored in incident #{id} (SHA-256 {sha}…)</translation>
    </message>
    <message>
        <source>播放中（{s}）</source>
        <translation>Playing ({s})</translation>
    </message>
</context>
<context>
    <name>Warnings</name>
    <message>
        <source>草稿</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>已审批</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>已发布</source>
        <translation>Published</translation>
    </message>
    <message>
        <source>已更新</source>
        <translation>Updated</translation>
    </message>
    <message>
        <source>已解除</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>外来</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>一级（红色）</source>
        <translation>Level I (red)</translation>
    </message>
    <message>
        <source>二级（橙色）</source>
        <translation>Level II (orange)</translation>
    </message>
    <message>
        <source>三级（黄色）</source>
        <translation>Level III (yellow)</translation>
    </message>
    <message>
        <source>四级（蓝色）</source>
        <translation>Level IV (blue)</translation>
    </message>
    <message>
        <source>未定级</source>
        <translation>No level</translation>
    </message>
    <message>
        <source>一级</source>
        <translation>Level I</translation>
    </message>
    <message>
        <source>二级</source>
        <translation>Level II</translation>
    </message>
    <message>
        <source>三级</source>
        <translation>Level III</translation>
    </message>
    <message>
        <source>四级</source>
        <translation>Level IV</translation>
    </message>
    <message>
        <source>请选择预警级别（一级至四级）</source>
        <translation>Choose a warning level (I to IV)</translation>
    </message>
    <message>
        <source>请选择行政区划或绘制区域</source>
        <translation>Choose divisions or draw an area</translation>
    </message>
    <message>
        <source>请填写失效时间</source>
        <translation>Enter when the warning expires</translation>
    </message>
    <message>
        <source>发布范围应为 Public、Restricted 或 Private</source>
        <translation>Scope must be Public, Restricted or Private</translation>
    </message>
    <message>
        <source>指定对象（Private）须填写接收地址</source>
        <translation>Private scope needs addresses</translation>
    </message>
    <message>
        <source>预警 #{id} 已被他人修改，请刷新后再操作</source>
        <translation>Warning #{id} was changed by someone else; refresh and try again</translation>
    </message>
    <message>
        <source>预警没有 &lt;info&gt; 内容，无法显示 (the alert has no info block)</source>
        <translation>The alert has no &lt;info&gt; block</translation>
    </message>
    <message>
        <source>有区域多边形无法解析（不是闭合的经纬度点列），未保存该多边形</source>
        <translation>An area polygon could not be read (not a closed list of lat,lon points); it was not stored</translation>
    </message>
    <message>
        <source>多边形至少要有 3 个点</source>
        <translation>A polygon needs at least 3 points</translation>
    </message>
    <message>
        <source>失效时间应晚于生效时间</source>
        <translation>Expiry must be after onset</translation>
    </message>
    <message>
        <source>限定范围（Restricted）须说明限定规则</source>
        <translation>Restricted scope needs the restriction rule</translation>
    </message>
    <message>
        <source>说明太长</source>
        <translation>Note too long</translation>
    </message>
    <message>
        <source>级别：{level}，依据 {basis}</source>
        <translation>Level: {level}, from {basis}</translation>
    </message>
    <message>
        <source>未知的类别 {v}</source>
        <translation>Unknown category {v}</translation>
    </message>
    <message>
        <source>未知的紧急程度 {v}</source>
        <translation>Unknown urgency {v}</translation>
    </message>
    <message>
        <source>未知的确定性 {v}</source>
        <translation>Unknown certainty {v}</translation>
    </message>
    <message>
        <source>只有限定范围（Restricted）才填写限定规则</source>
        <translation>A restriction is only for Restricted scope</translation>
    </message>
    <message>
        <source>已过失效时间，不能审批</source>
        <translation>Already expired: cannot be approved</translation>
    </message>
    <message>
        <source>已过失效时间，不能发布</source>
        <translation>Already expired: cannot be published</translation>
    </message>
    <message>
        <source>外来预警只能查看，不能修改</source>
        <translation>Received warnings are read-only</translation>
    </message>
    <message>
        <source>预警 #{id} 当前为“{state}”，不能进行此操作</source>
        <translation>Warning #{id} is {state}: this is not possible now</translation>
    </message>
    <message>
        <source>只有当班带班领导可以审批、更新或解除预警（{actor} 不是当班带班领导）</source>
        <translation>Only the leader on duty may approve, update or cancel a warning ({actor} is not the leader on duty)</translation>
    </message>
    <message>
        <source>预警 #{id} 不存在</source>
        <translation>Warning #{id} does not exist</translation>
    </message>
    <message>
        <source>消息类型 {t} 不是预警 (msgType is not Alert, Update or Cancel)</source>
        <translation>Message type {t} is not Alert, Update or Cancel</translation>
    </message>
    <message>
        <source>该预警已导入过 (already imported)</source>
        <translation>This alert was already imported</translation>
    </message>
    <message>
        <source>行政区划代码应为 6 位数字：{code}</source>
        <translation>A division code has 6 digits: {code}</translation>
    </message>
    <message>
        <source>替代了此前导入的预警 #{id}</source>
        <translation>Replaces warning #{id} imported before</translation>
    </message>
    <message>
        <source>未知的行政区划代码 {code}</source>
        <translation>Unknown division code {code}</translation>
    </message>
    <message>
        <source>多边形的点 {lon},{lat} 不在中国境内</source>
        <translation>Polygon point {lon},{lat} is outside China</translation>
    </message>
    <message>
        <source>该预警已导入过（预警 #{id}） (already imported)</source>
        <translation>This alert was already imported (warning #{id})</translation>
    </message>
</context>
<context>
    <name>WarningsPane</name>
    <message>
        <source>级别</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Event</translation>
    </message>
    <message>
        <source>标题</source>
        <translation>Headline</translation>
    </message>
    <message>
        <source>失效时间</source>
        <translation>Expires</translation>
    </message>
    <message>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>新建预警</source>
        <translation>New warning</translation>
    </message>
    <message>
        <source>导入 CAP…</source>
        <translation>Import CAP…</translation>
    </message>
    <message>
        <source>更多…</source>
        <translation>More…</translation>
    </message>
    <message>
        <source>导入 CAP 文件后，这里显示校验报告</source>
        <translation>The validation report of an imported CAP file appears here</translation>
    </message>
    <message>
        <source>新预警（草稿）</source>
        <translation>New warning (draft)</translation>
    </message>
    <message>
        <source>如：暴雨、森林火险、地质灾害</source>
        <translation>e.g. rainstorm, forest fire danger, geological hazard</translation>
    </message>
    <message>
        <source>地质</source>
        <translation>Geological</translation>
    </message>
    <message>
        <source>气象</source>
        <translation>Meteorological</translation>
    </message>
    <message>
        <source>安全</source>
        <translation>Safety</translation>
    </message>
    <message>
        <source>治安</source>
        <translation>Security</translation>
    </message>
    <message>
        <source>救援</source>
        <translation>Rescue</translation>
    </message>
    <message>
        <source>火灾</source>
        <translation>Fire</translation>
    </message>
    <message>
        <source>卫生</source>
        <translation>Health</translation>
    </message>
    <message>
        <source>环境</source>
        <translation>Environment</translation>
    </message>
    <message>
        <source>交通</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>基础设施</source>
        <translation>Infrastructure</translation>
    </message>
    <message>
        <source>化生放核爆</source>
        <translation>CBRNE</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>防御指引</source>
        <translation>Instruction</translation>
    </message>
    <message>
        <source>筛选行政区划</source>
        <translation>Filter divisions</translation>
    </message>
    <message>
        <source>区域</source>
        <translation>Area</translation>
    </message>
    <message>
        <source>绘制区域：经度,纬度 经度,纬度 …（至少 3 点）</source>
        <translation>Drawn area: lon,lat lon,lat … (at least 3 points)</translation>
    </message>
    <message>
        <source>多边形</source>
        <translation>Polygon</translation>
    </message>
    <message>
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <source>有效期</source>
        <translation>Valid</translation>
    </message>
    <message>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <source>确定性</source>
        <translation>Certainty</translation>
    </message>
    <message>
        <source>CAP</source>
        <translation>CAP</translation>
    </message>
    <message>
        <source>如：社会公众、各县（市、区）应急管理局</source>
        <translation>e.g. the public, county emergency management bureaus</translation>
    </message>
    <message>
        <source>发布对象</source>
        <translation>Audience</translation>
    </message>
    <message>
        <source>公开</source>
        <translation>Public</translation>
    </message>
    <message>
        <source>限定范围</source>
        <translation>Restricted</translation>
    </message>
    <message>
        <source>指定对象</source>
        <translation>Private</translation>
    </message>
    <message>
        <source>限定规则（仅限定范围）</source>
        <translation>Restriction rule (Restricted only)</translation>
    </message>
    <message>
        <source>接收地址，空格分隔（指定对象必填）</source>
        <translation>Addresses, space-separated (required for Private)</translation>
    </message>
    <message>
        <source>发布范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <source>限定规则</source>
        <translation>Restriction</translation>
    </message>
    <message>
        <source>接收地址</source>
        <translation>Addresses</translation>
    </message>
    <message>
        <source>演习（CAP status Exercise）</source>
        <translation>Exercise (CAP status Exercise)</translation>
    </message>
    <message>
        <source>保存草稿</source>
        <translation>Save draft</translation>
    </message>
    <message>
        <source>审批</source>
        <translation>Approve</translation>
    </message>
    <message>
        <source>发布</source>
        <translation>Publish</translation>
    </message>
    <message>
        <source>更新发布</source>
        <translation>Publish update</translation>
    </message>
    <message>
        <source>解除</source>
        <translation>Cancel warning</translation>
    </message>
    <message>
        <source>导出 CAP…</source>
        <translation>Export CAP…</translation>
    </message>
    <message>
        <source>本单位</source>
        <translation>Ours</translation>
    </message>
    <message>
        <source>（演习）</source>
        <translation> (exercise)</translation>
    </message>
    <message>
        <source>演习</source>
        <translation>Exercise</translation>
    </message>
    <message>
        <source>审批人 {who}</source>
        <translation>approved by {who}</translation>
    </message>
    <message>
        <source>来自 {sender}</source>
        <translation>from {sender}</translation>
    </message>
    <message>
        <source>级别依据 {basis}</source>
        <translation>level from {basis}</translation>
    </message>
    <message>
        <source>点 {p} 应写作 经度,纬度</source>
        <translation>Write point {p} as lon,lat</translation>
    </message>
    <message>
        <source>预警 #{id} 已保存为草稿</source>
        <translation>Warning #{id} saved as a draft</translation>
    </message>
    <message>
        <source>预警 #{id} 已保存</source>
        <translation>Warning #{id} saved</translation>
    </message>
    <message>
        <source>预警 #{id} 已审批</source>
        <translation>Warning #{id} approved</translation>
    </message>
    <message>
        <source>预警 #{id} 已发布</source>
        <translation>Warning #{id} published</translation>
    </message>
    <message>
        <source>预警 #{id} 已更新发布</source>
        <translation>Update of warning #{id} published</translation>
    </message>
    <message>
        <source>预警 #{id} 已解除</source>
        <translation>Warning #{id} cancelled</translation>
    </message>
    <message>
        <source>导出 CAP 1.2</source>
        <translation>Export CAP 1.2</translation>
    </message>
    <message>
        <source>CAP 预警 (*.xml *.cap)</source>
        <translation>CAP alerts (*.xml *.cap)</translation>
    </message>
    <message>
        <source>已导出 CAP 1.2：{path}（{n} 字节）</source>
        <translation>Exported CAP 1.2: {path} ({n} bytes)</translation>
    </message>
    <message>
        <source>导入 CAP 1.2 预警</source>
        <translation>Import a CAP 1.2 alert</translation>
    </message>
    <message>
        <source>CAP 预警 (*.xml *.cap);;所有文件 (*)</source>
        <translation>CAP alerts (*.xml *.cap);;All files (*)</translation>
    </message>
    <message>
        <source>无法读取文件：{e}</source>
        <translation>Cannot read the file: {e}</translation>
    </message>
    <message>
        <source>✔ 已导入 {name}：预警 #{id}，{level}</source>
        <translation>✔ Imported {name}: warning #{id}, {level}</translation>
    </message>
    <message>
        <source>✘ 拒收 {name}（未保存）：</source>
        <translation>✘ Refused {name} (not stored):</translation>
    </message>
    <message>
        <source>请改正标红的内容</source>
        <translation>Correct the fields marked in red</translation>
    </message>
</context>
<context>
    <name>Watchdog</name>
    <message>
        <source>数据库连接中断，只读：本次修改未保存，内容已保留，连接恢复后请重试</source>
        <translation>Database connection lost, read-only: this change was not saved; what you entered is kept — try again once the connection is back</translation>
    </message>
</context>
<context>
    <name>XmlSafe</name>
    <message>
        <source>XML 嵌套太深或太大</source>
        <translation>XML nested too deeply or too large</translation>
    </message>
    <message>
        <source>XML 太大：{n} 字节，最多 {limit} 字节</source>
        <translation>XML too large: {n} bytes, at most {limit} bytes</translation>
    </message>
    <message>
        <source>拒绝不安全的 XML（DTD、实体或外部引用）：{e}</source>
        <translation>Unsafe XML refused (DTD, entities or external references): {e}</translation>
    </message>
    <message>
        <source>XML 格式错误：{e}</source>
        <translation>Malformed XML: {e}</translation>
    </message>
    <message>
        <source>不支持的 XML 编码：{name}</source>
        <translation>Unsupported XML encoding: {name}</translation>
    </message>
    <message>
        <source>XML 内容不是声明的编码 {name}：{e}</source>
        <translation>XML content is not in its declared encoding {name}: {e}</translation>
    </message>
    <message>
        <source>XML 嵌套太深：超过 {limit} 层</source>
        <translation>XML nested too deeply: more than {limit} levels</translation>
    </message>
</context>
<context>
    <name>_Credentials</name>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>请输入用户名和密码</source>
        <translation>Enter the user name and password</translation>
    </message>
    <message>
        <source>正在验证…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>无法验证：{error}</source>
        <translation>Cannot check: {error}</translation>
    </message>
</context>
</TS>
